import type Database from 'better-sqlite3';
import type { ArtifactRow, BuildDetail, BuildStatus, BuildSummary, CheckResult, TestStatus } from '../api/contract';
import { iso, isoOrNull } from './time';

export type { BuildStatus } from '../api/contract';
export type ArtifactKind = 'disk' | 'ova' | 'update-full' | 'update-diff' | 'update-medium' | 'log' | 'screenshot' | 'console';

export interface NewBuild {
  /** Appliance name; registered (or its folder updated) on the way. */
  appliance: string;
  /** The appliance folder. */
  dir: string;
  version: string;
  inputsHash?: string | null;
  buildDir?: string | null;
  logPath?: string | null;
  parentId?: number | null;
  flavour?: string | null;
  createdAt?: number;
  /** The process doing the build (default: this one); a build whose process is gone is interrupted. */
  ownerPid?: number;
}

export interface BuildFinish {
  status: Exclude<BuildStatus, 'running'>;
  /** Defaults to the time since the build was created. */
  durationMs?: number | null;
  bytes?: number | null;
  /** Bytes the build's files occupy on disk (allocated blocks; sparse images hold less than their size). */
  usedBytes?: number | null;
  error?: string | null;
  inputsHash?: string | null;
  finishedAt?: number;
}

export interface NewStage {
  buildId: number;
  /** Position in the pipeline; defaults to after the last stage recorded. */
  seq?: number;
  name: string;
  status: string;
  cacheHit: boolean;
  durationMs: number;
  key?: string | null;
}

export interface NewArtifact {
  buildId: number;
  format: string;
  disk?: 'os' | 'data' | null;
  kind: ArtifactKind;
  path: string;
  bytes: number;
  sha256: string;
}

/** Every column of one build, for the engine (not a screen). */
export interface BuildRecord {
  id: number;
  applianceId: number;
  appliance: string;
  version: string;
  status: BuildStatus;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  inputsHash: string | null;
  dir: string | null;
  buildDir: string | null;
  logPath: string | null;
  bytes: number | null;
  usedBytes: number | null;
  error: string | null;
  released: boolean;
  parentId: number | null;
  flavour: string | null;
}

export interface BuildQueries {
  createBuild(b: NewBuild): number;
  finishBuild(id: number, f: BuildFinish): void;
  /** Where a running build writes its artifacts and log, once its id has named them. */
  setBuildPaths(id: number, p: { buildDir?: string | null; logPath?: string | null }): void;
  addStage(s: NewStage): void;
  addArtifact(a: NewArtifact): number;
  /** The history screen: newest first, one query. */
  listBuilds(q?: { appliance?: string; limit?: number }): BuildSummary[];
  /** The build screen: stages, artifacts and the checks of its latest test run, one query. */
  getBuild(id: number): BuildDetail | null;
  getBuildRecord(id: number): BuildRecord | null;
  /** The newest build of an appliance with that status (default: succeeded). */
  latestBuild(appliance: string, status?: BuildStatus): BuildRecord | null;
  setReleased(id: number, released: boolean): boolean;
  /** Records what a build's files occupy on disk (measured later for builds made before it was kept). */
  setUsedBytes(id: number, usedBytes: number): void;
  /**
   * Deletes the build with its stages, artifacts and test runs, and returns the files and
   * folders it leaves unreferenced (the caller frees them; the database never touches files).
   */
  deleteBuild(id: number): string[];
}

type BuildRow = {
  id: number; appliance_id: number; appliance: string; version: string; status: BuildStatus; created_at: number;
  finished_at: number | null; duration_ms: number | null; inputs_hash: string | null; dir: string | null;
  build_dir: string | null; log_path: string | null; bytes: number | null; used_bytes: number | null; error: string | null; released: number;
  parent_id: number | null; flavour: string | null; owner_pid: number | null;
};
type SummaryRow = Pick<BuildRow, 'id' | 'appliance' | 'version' | 'status' | 'created_at' | 'duration_ms' | 'bytes' | 'used_bytes' | 'released' | 'error' | 'finished_at'> & { test_status: string | null };

// The history screen's rows as SQLite returns them in raw (array) mode.
type RawListRow = [number, string, string, BuildStatus, number, number | null, number | null, number, string | null, string | null, number | null, number | null];

/** The newest test run (kind test) of a build; upgrade runs that used the build are not its test. */
const TEST_STATUS_SQL = `(SELECT r.status FROM test_runs r WHERE r.build_id = b.id AND r.kind = 'test' ORDER BY r.started_at DESC, r.id DESC LIMIT 1)`;

export function testStatusOf(runStatus: string | null): TestStatus {
  return runStatus === null ? 'not-run' : (runStatus as TestStatus);
}

function toSummary(r: SummaryRow): BuildSummary {
  return {
    id: r.id, appliance: r.appliance, version: r.version, status: r.status, testStatus: testStatusOf(r.test_status), createdAt: iso(r.created_at),
    durationMs: r.duration_ms, bytes: r.bytes, usedBytes: r.used_bytes, released: r.released === 1, error: r.error,
    ...(r.status === 'interrupted' ? { interruptedAt: isoOrNull(r.finished_at) } : {}),
  };
}

function toRecord(r: BuildRow): BuildRecord {
  return {
    id: r.id, applianceId: r.appliance_id, appliance: r.appliance, version: r.version, status: r.status,
    createdAt: iso(r.created_at), finishedAt: isoOrNull(r.finished_at), durationMs: r.duration_ms,
    inputsHash: r.inputs_hash, dir: r.dir, buildDir: r.build_dir, logPath: r.log_path, bytes: r.bytes, usedBytes: r.used_bytes,
    error: r.error, released: r.released === 1, parentId: r.parent_id, flavour: r.flavour,
  };
}

type JsonStage = { name: string; status: string; cacheHit: number; durationMs: number };
type JsonArtifact = { format: string; disk: 'os' | 'data' | null; kind: string; path: string; bytes: number; sha256: string };
type JsonCheck = { name: string; kind: string; status: 'passed' | 'failed'; message: string; durationMs: number; phase: string | null; line: number | null };
type DetailRow = BuildRow & { stages: string; artifacts: string; checks: string; test_status: string | null };

export function prepareBuildQueries(db: Database.Database, ensureAppliance: (name: string, dir: string, at: number) => number): BuildQueries {
  const insertBuild = db.prepare(
    `INSERT INTO builds (appliance_id, version, status, created_at, inputs_hash, dir, build_dir, log_path, parent_id, flavour, owner_pid)
     VALUES (@applianceId, @version, 'running', @createdAt, @inputsHash, @dir, @buildDir, @logPath, @parentId, @flavour, @ownerPid)`,
  );
  const finish = db.prepare(
    `UPDATE builds SET status = @status, finished_at = @finishedAt,
       duration_ms = COALESCE(@durationMs, @finishedAt - created_at), bytes = COALESCE(@bytes, bytes),
       used_bytes = COALESCE(@usedBytes, used_bytes), error = @error, inputs_hash = COALESCE(@inputsHash, inputs_hash)
     WHERE id = @id`,
  );
  const setPaths = db.prepare(
    `UPDATE builds SET build_dir = COALESCE(@buildDir, build_dir), log_path = COALESCE(@logPath, log_path) WHERE id = @id`,
  );
  const insertStage = db.prepare(
    `INSERT INTO stages (build_id, seq, name, status, cache_hit, duration_ms, key)
     VALUES (@buildId, COALESCE(@seq, (SELECT COALESCE(MAX(seq), -1) + 1 FROM stages WHERE build_id = @buildId)),
             @name, @status, @cacheHit, @durationMs, @key)`,
  );
  const insertArtifact = db.prepare(
    `INSERT INTO artifacts (build_id, format, disk, kind, path, bytes, sha256)
     VALUES (@buildId, @format, @disk, @kind, @path, @bytes, @sha256)`,
  );
  const RAW_COLUMNS = `b.id, a.name, b.version, b.status, b.created_at, b.duration_ms, b.bytes, b.released, b.error, ${TEST_STATUS_SQL}, b.finished_at, b.used_bytes`;
  const listAllRaw = db
    .prepare<[number]>(`SELECT ${RAW_COLUMNS} FROM builds b JOIN appliances a ON a.id = b.appliance_id ORDER BY b.created_at DESC, b.id DESC LIMIT ?`)
    .raw(true);
  const listOneRaw = db
    .prepare<[string, number]>(
      `SELECT ${RAW_COLUMNS} FROM builds b JOIN appliances a ON a.id = b.appliance_id
       WHERE b.appliance_id = (SELECT id FROM appliances WHERE name = ?) ORDER BY b.created_at DESC, b.id DESC LIMIT ?`,
    )
    .raw(true);
  const record = db.prepare<[number], BuildRow>(
    'SELECT b.*, a.name AS appliance FROM builds b JOIN appliances a ON a.id = b.appliance_id WHERE b.id = ?',
  );
  const latest = db.prepare<[string, string], BuildRow>(
    `SELECT b.*, a.name AS appliance FROM builds b JOIN appliances a ON a.id = b.appliance_id
     WHERE b.appliance_id = (SELECT id FROM appliances WHERE name = ?) AND b.status = ?
     ORDER BY b.created_at DESC, b.id DESC LIMIT 1`,
  );
  const detail = db.prepare<[number], DetailRow>(
    `SELECT b.*, a.name AS appliance, ${TEST_STATUS_SQL} AS test_status,
       (SELECT json_group_array(json_object('name', name, 'status', status, 'cacheHit', cache_hit, 'durationMs', duration_ms))
          FROM (SELECT * FROM stages WHERE build_id = b.id ORDER BY seq)) AS stages,
       (SELECT json_group_array(json_object('format', format, 'disk', disk, 'kind', kind, 'path', path, 'bytes', bytes, 'sha256', sha256))
          FROM (SELECT * FROM artifacts WHERE build_id = b.id ORDER BY id)) AS artifacts,
       (SELECT json_group_array(json_object('name', name, 'kind', kind, 'status', status, 'message', message, 'durationMs', duration_ms, 'phase', phase, 'line', line))
          FROM (SELECT * FROM check_results WHERE run_id =
                  (SELECT id FROM test_runs WHERE build_id = b.id AND kind = 'test' ORDER BY started_at DESC, id DESC LIMIT 1)
                ORDER BY seq)) AS checks
     FROM builds b JOIN appliances a ON a.id = b.appliance_id WHERE b.id = ?`,
  );
  const release = db.prepare('UPDATE builds SET released = ? WHERE id = ?');
  const setUsed = db.prepare('UPDATE builds SET used_bytes = ? WHERE id = ?');
  // Files of this build that no other build's artifact still points at (stage-cache files can be shared).
  const filesOf = db.prepare<{ id: number }, { path: string }>(
    `SELECT path FROM artifacts x WHERE build_id = @id
       AND NOT EXISTS (SELECT 1 FROM artifacts y WHERE y.path = x.path AND y.build_id <> @id)
     UNION SELECT log_path FROM builds WHERE id = @id AND log_path IS NOT NULL
     UNION SELECT build_dir FROM builds WHERE id = @id AND build_dir IS NOT NULL
     UNION SELECT console_log FROM test_runs WHERE build_id = @id AND console_log IS NOT NULL
     UNION SELECT screenshot FROM test_runs WHERE build_id = @id AND screenshot IS NOT NULL`,
  );
  const remove = db.prepare('DELETE FROM builds WHERE id = ?');

  const createBuild = db.transaction((b: NewBuild): number => {
    const createdAt = b.createdAt ?? Date.now();
    const applianceId = ensureAppliance(b.appliance, b.dir, createdAt);
    return Number(
      insertBuild.run({
        applianceId, version: b.version, createdAt, inputsHash: b.inputsHash ?? null, dir: b.dir,
        buildDir: b.buildDir ?? null, logPath: b.logPath ?? null, parentId: b.parentId ?? null, flavour: b.flavour ?? null,
        ownerPid: b.ownerPid ?? process.pid,
      }).lastInsertRowid,
    );
  });
  const deleteBuild = db.transaction((id: number): string[] => {
    const paths = filesOf.all({ id }).map((r) => r.path);
    remove.run(id);
    return paths;
  });

  return {
    createBuild,
    setBuildPaths(id, p) {
      setPaths.run({ id, buildDir: p.buildDir ?? null, logPath: p.logPath ?? null });
    },
    finishBuild(id, f) {
      const r = finish.run({
        id, status: f.status, finishedAt: f.finishedAt ?? Date.now(), durationMs: f.durationMs ?? null,
        bytes: f.bytes ?? null, usedBytes: f.usedBytes ?? null, error: f.error ?? null, inputsHash: f.inputsHash ?? null,
      });
      if (r.changes === 0) throw new Error(`finishBuild: no build #${id}`);
    },
    addStage(s) {
      insertStage.run({
        buildId: s.buildId, seq: s.seq ?? null, name: s.name, status: s.status, cacheHit: s.cacheHit ? 1 : 0,
        durationMs: Math.round(s.durationMs), key: s.key ?? null,
      });
    },
    addArtifact(a) {
      return Number(insertArtifact.run({ ...a, disk: a.disk ?? null }).lastInsertRowid);
    },
    listBuilds(q = {}) {
      const limit = q.limit ?? -1; // SQLite: a negative LIMIT means no limit
      // Raw rows (arrays) are about twice as fast to fetch as objects: this is the 10,000-build screen.
      const rows = (q.appliance === undefined ? listAllRaw.all(limit) : listOneRaw.all(q.appliance, limit)) as unknown as RawListRow[];
      return rows.map((r) => ({
        id: r[0], appliance: r[1], version: r[2], status: r[3], testStatus: testStatusOf(r[9]), createdAt: new Date(r[4]).toISOString(),
        durationMs: r[5], bytes: r[6], usedBytes: r[11], released: r[7] === 1, error: r[8],
        ...(r[3] === 'interrupted' ? { interruptedAt: r[10] === null ? null : new Date(r[10]).toISOString() } : {}),
      }));
    },
    getBuild(id) {
      const r = detail.get(id);
      if (!r) return null;
      const artifacts: ArtifactRow[] = (JSON.parse(r.artifacts) as JsonArtifact[]).map((x) => ({
        format: x.format, ...(x.disk ? { disk: x.disk } : {}), kind: x.kind, path: x.path, bytes: x.bytes, sha256: x.sha256,
      }));
      const checks: CheckResult[] = (JSON.parse(r.checks) as JsonCheck[]).map((x) => ({
        name: x.name, kind: x.kind, status: x.status, message: x.message, durationMs: x.durationMs, ...(x.phase ? { phase: x.phase } : {}),
        ...(x.line !== null && x.line !== undefined ? { line: x.line } : {}),
      }));
      return {
        ...toSummary(r),
        inputsHash: r.inputs_hash, dir: r.dir, logPath: r.log_path,
        stages: (JSON.parse(r.stages) as JsonStage[]).map((x) => ({ name: x.name, status: x.status, cacheHit: x.cacheHit === 1, durationMs: x.durationMs })),
        artifacts, checks,
      };
    },
    getBuildRecord(id) {
      const r = record.get(id);
      return r ? toRecord(r) : null;
    },
    latestBuild(appliance, status = 'succeeded') {
      const r = latest.get(appliance, status);
      return r ? toRecord(r) : null;
    },
    setReleased: (id, released) => release.run(released ? 1 : 0, id).changes > 0,
    setUsedBytes(id, usedBytes) {
      setUsed.run(usedBytes, id);
    },
    deleteBuild,
  };
}
