import type Database from 'better-sqlite3';
import type { VmSummary } from '../api/contract';
import { iso, isoOrNull } from './time';

export type VmStatus = 'running' | 'stopped' | 'interrupted';

export interface NewVm {
  id: string;
  buildId?: number | null;
  purpose: string;
  pid?: number | null;
  stateDir?: string | null;
  accel: 'kvm' | 'tcg';
  forwards: { guest: number; host: number }[];
  startedAt?: number;
}

/** A VmSummary plus what the reaper needs to find and clean up the process. */
export interface VmRecord extends VmSummary {
  pid: number | null;
  stateDir: string | null;
  stoppedAt: string | null;
}

export interface VmQueries {
  recordVm(vm: NewVm): void;
  /** A stop time is stamped when the VM leaves 'running'. Returns false for an unknown id. */
  updateVm(id: string, change: { status?: VmStatus; pid?: number | null; stoppedAt?: number }): boolean;
  listVms(q?: { status?: VmStatus }): VmRecord[];
}

type VmRow = {
  id: string; build_id: number | null; purpose: string; pid: number | null; state_dir: string | null; accel: 'kvm' | 'tcg';
  status: VmStatus; started_at: number; stopped_at: number | null; forwards_json: string; appliance: string | null; version: string | null;
};

export function prepareVmQueries(db: Database.Database): VmQueries {
  const insert = db.prepare(
    `INSERT INTO vms (id, build_id, purpose, pid, state_dir, accel, status, started_at, forwards_json)
     VALUES (@id, @buildId, @purpose, @pid, @stateDir, @accel, 'running', @startedAt, @forwards)`,
  );
  const update = db.prepare(
    `UPDATE vms SET status = COALESCE(@status, status), pid = CASE WHEN @setPid THEN @pid ELSE pid END,
       stopped_at = CASE WHEN COALESCE(@status, status) <> 'running' THEN COALESCE(stopped_at, @now) ELSE NULL END
     WHERE id = @id`,
  );
  const select = `SELECT v.*, a.name AS appliance, b.version AS version FROM vms v
     LEFT JOIN builds b ON b.id = v.build_id LEFT JOIN appliances a ON a.id = b.appliance_id`;
  const all = db.prepare<[], VmRow>(`${select} ORDER BY v.started_at DESC, v.id`);
  const byStatus = db.prepare<[string], VmRow>(`${select} WHERE v.status = ? ORDER BY v.started_at DESC, v.id`);
  const toRecord = (r: VmRow): VmRecord => ({
    id: r.id, buildId: r.build_id, appliance: r.appliance ?? '', version: r.version ?? '', accel: r.accel,
    startedAt: iso(r.started_at), status: r.status, forwards: JSON.parse(r.forwards_json) as VmRecord['forwards'],
    purpose: r.purpose, pid: r.pid, stateDir: r.state_dir, stoppedAt: isoOrNull(r.stopped_at),
  });
  return {
    recordVm(vm) {
      insert.run({
        id: vm.id, buildId: vm.buildId ?? null, purpose: vm.purpose, pid: vm.pid ?? null, stateDir: vm.stateDir ?? null,
        accel: vm.accel, startedAt: vm.startedAt ?? Date.now(), forwards: JSON.stringify(vm.forwards),
      });
    },
    updateVm(id, change) {
      return (
        update.run({
          id, status: change.status ?? null, setPid: change.pid === undefined ? 0 : 1, pid: change.pid ?? null,
          now: change.stoppedAt ?? Date.now(),
        }).changes > 0
      );
    },
    listVms: (q = {}) => (q.status ? byStatus.all(q.status) : all.all()).map(toRecord),
  };
}
