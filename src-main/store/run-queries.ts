import type Database from 'better-sqlite3';
import type { CheckResult, RunSummary, UpgradeMethod } from '../api/contract';
import { iso, isoOrNull } from './time';

export type TestRunStatus = 'running' | 'passed' | 'failed' | 'cancelled' | 'interrupted';

export interface NewTestRun {
  buildId: number;
  kind: 'test' | 'upgrade';
  /** For an upgrade test: the older build the appliance was upgraded from. */
  fromBuildId?: number | null;
  consoleLog?: string | null;
  screenshot?: string | null;
  startedAt?: number;
  /** For an upgrade test: how NEW was put in place. */
  method?: UpgradeMethod | null;
  /** The process running it (default: this one); a run whose process is gone is interrupted. */
  ownerPid?: number;
}

/** Where an upgrade run left the appliance. */
export interface UpgradeAfter {
  version: string;
  rolledBack: boolean;
}

export interface TestRunFinish {
  status: Exclude<TestRunStatus, 'running'>;
  /** An upgrade run: the version the appliance ended on, and whether it rolled the update back. */
  after?: UpgradeAfter;
  consoleLog?: string | null;
  screenshot?: string | null;
  finishedAt?: number;
}

export interface RunQueries {
  createTestRun(r: NewTestRun): number;
  /** seq defaults to after the last result of the run. */
  addCheckResult(runId: number, c: CheckResult & { seq?: number }): void;
  finishTestRun(id: number, f: TestRunFinish): void;
  /** The upgrade matrix: every finished upgrade run between builds of one appliance, newest first. */
  listUpgradeRuns(appliance: string): UpgradeRunRow[];
  /** The console log of the newest finished test run of a build (for its boot time). */
  latestConsoleLog(buildId: number): string | null;
  /** One test run (any kind) with its check results in order, or null. */
  getTestRun(id: number): TestRunRecord | null;
  /** Test and upgrade runs, newest first (the history). */
  listRuns(q?: { appliance?: string; limit?: number }): RunSummary[];
}

export interface UpgradeRunRow {
  id: number;
  buildId: number;
  fromBuildId: number;
  status: TestRunStatus;
  method: UpgradeMethod | null;
  rolledBack: boolean;
}

export interface TestRunRecord {
  id: number;
  buildId: number;
  kind: 'test' | 'upgrade';
  fromBuildId: number | null;
  status: TestRunStatus;
  startedAt: number;
  finishedAt: number | null;
  consoleLog: string | null;
  screenshot: string | null;
  method: UpgradeMethod | null;
  after: UpgradeAfter | null;
  checks: CheckResult[];
}

export function prepareRunQueries(db: Database.Database): RunQueries {
  const latestLog = db.prepare<[number], { console_log: string }>(
    `SELECT console_log FROM test_runs WHERE build_id = ? AND kind = 'test' AND console_log IS NOT NULL AND status <> 'running'
     ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  const insertRun = db.prepare(
    `INSERT INTO test_runs (build_id, kind, status, started_at, from_build_id, console_log, screenshot, method, owner_pid)
     VALUES (@buildId, @kind, 'running', @startedAt, @fromBuildId, @consoleLog, @screenshot, @method, @ownerPid)`,
  );
  const insertCheck = db.prepare(
    `INSERT INTO check_results (run_id, seq, name, kind, status, message, duration_ms, phase, line)
     VALUES (@runId, COALESCE(@seq, (SELECT COALESCE(MAX(seq), -1) + 1 FROM check_results WHERE run_id = @runId)),
             @name, @kind, @status, @message, @durationMs, @phase, @line)`,
  );
  const finish = db.prepare(
    `UPDATE test_runs SET status = @status, finished_at = @finishedAt,
       console_log = COALESCE(@consoleLog, console_log), screenshot = COALESCE(@screenshot, screenshot),
       after_version = @afterVersion, rolled_back = @rolledBack
     WHERE id = @id`,
  );
  const upgradeRuns = db.prepare<[string], Omit<UpgradeRunRow, 'rolledBack'> & { rolledBack: number | null }>(
    `SELECT r.id AS id, r.build_id AS buildId, r.from_build_id AS fromBuildId, r.status AS status, r.method AS method, r.rolled_back AS rolledBack
     FROM test_runs r JOIN builds b ON b.id = r.build_id JOIN appliances a ON a.id = b.appliance_id
     WHERE a.name = ? AND r.kind = 'upgrade' AND r.from_build_id IS NOT NULL
     ORDER BY r.started_at DESC, r.id DESC`,
  );
  const oneRun = db.prepare<[number], Omit<TestRunRecord, 'checks' | 'after'> & { afterVersion: string | null; rolledBack: number | null }>(
    `SELECT id, build_id AS buildId, kind, from_build_id AS fromBuildId, status, started_at AS startedAt,
            finished_at AS finishedAt, console_log AS consoleLog, screenshot, method, after_version AS afterVersion, rolled_back AS rolledBack
     FROM test_runs WHERE id = ?`,
  );
  const runChecks = db.prepare<[number], { name: string; kind: string; status: 'passed' | 'failed'; message: string; durationMs: number; phase: string | null; line: number | null }>(
    'SELECT name, kind, status, message, duration_ms AS durationMs, phase, line FROM check_results WHERE run_id = ? ORDER BY seq',
  );
  type RunRow = { id: number; kind: 'test' | 'upgrade'; buildId: number; fromBuildId: number | null; appliance: string; version: string; status: TestRunStatus; method: UpgradeMethod | null; startedAt: number; finishedAt: number | null };
  const RUN_COLUMNS = `r.id, r.kind, r.build_id AS buildId, r.from_build_id AS fromBuildId, a.name AS appliance, b.version, r.status, r.method,
     r.started_at AS startedAt, r.finished_at AS finishedAt
     FROM test_runs r JOIN builds b ON b.id = r.build_id JOIN appliances a ON a.id = b.appliance_id`;
  const allRuns = db.prepare<[number], RunRow>(`SELECT ${RUN_COLUMNS} ORDER BY r.started_at DESC, r.id DESC LIMIT ?`);
  const runsOf = db.prepare<[string, number], RunRow>(`SELECT ${RUN_COLUMNS} WHERE a.name = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?`);
  const toRunSummary = (r: RunRow): RunSummary => ({
    ...r,
    startedAt: iso(r.startedAt),
    finishedAt: isoOrNull(r.finishedAt),
    durationMs: r.finishedAt === null ? null : r.finishedAt - r.startedAt,
  });
  return {
    getTestRun(id) {
      const row = oneRun.get(id);
      if (!row) return null;
      const { afterVersion, rolledBack, ...r } = row;
      const checks = runChecks.all(id).map(({ phase, line, ...c }) => ({ ...c, ...(phase ? { phase } : {}), ...(line !== null ? { line } : {}) }));
      return { ...r, after: afterVersion === null ? null : { version: afterVersion, rolledBack: rolledBack === 1 }, checks };
    },
    listRuns(q = {}) {
      const limit = q.limit ?? -1;
      return (q.appliance === undefined ? allRuns.all(limit) : runsOf.all(q.appliance, limit)).map(toRunSummary);
    },
    listUpgradeRuns: (appliance) => upgradeRuns.all(appliance).map((r) => ({ ...r, rolledBack: r.rolledBack === 1 })),
    latestConsoleLog: (buildId) => latestLog.get(buildId)?.console_log ?? null,
    createTestRun: (r) =>
      Number(
        insertRun.run({
          buildId: r.buildId, kind: r.kind, startedAt: r.startedAt ?? Date.now(), fromBuildId: r.fromBuildId ?? null,
          consoleLog: r.consoleLog ?? null, screenshot: r.screenshot ?? null, method: r.method ?? null, ownerPid: r.ownerPid ?? process.pid,
        }).lastInsertRowid,
      ),
    addCheckResult(runId, c) {
      insertCheck.run({
        runId, seq: c.seq ?? null, name: c.name, kind: c.kind, status: c.status, message: c.message,
        durationMs: Math.round(c.durationMs), phase: c.phase ?? null, line: c.line ?? null,
      });
    },
    finishTestRun(id, f) {
      const r = finish.run({
        id, status: f.status, finishedAt: f.finishedAt ?? Date.now(), consoleLog: f.consoleLog ?? null, screenshot: f.screenshot ?? null,
        afterVersion: f.after?.version ?? null, rolledBack: f.after ? Number(f.after.rolledBack) : null,
      });
      if (r.changes === 0) throw new Error(`finishTestRun: no test run #${id}`);
    },
  };
}
