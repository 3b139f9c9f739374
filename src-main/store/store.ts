import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { prepareApplianceQueries, type ApplianceQueries } from './appliance-queries';
import { prepareBuildQueries, type BuildQueries } from './build-queries';
import { StoreError } from './errors';
import { LATEST_VERSION, migrateTo, newerSchemaMessage, userVersion } from './migrations';
import { prepareRunQueries, type RunQueries } from './run-queries';
import { prepareVmQueries, type VmQueries } from './vm-queries';

export { StoreError } from './errors';
export type { BuildFinish, BuildRecord, BuildStatus, NewArtifact, NewBuild, NewStage, ArtifactKind } from './build-queries';
export type { NewTestRun, TestRunFinish, TestRunStatus } from './run-queries';
export type { NewVm, VmRecord, VmStatus } from './vm-queries';
export type { RecentAppliance } from './appliance-queries';

export const DB_FILE = 'yoke.db';

/** The one owner of the connection to `<home>/yoke.db`; every query the engine runs is a method here. */
export interface Store extends ApplianceQueries, BuildQueries, RunQueries, VmQueries {
  readonly file: string;
  readonly schemaVersion: number;
  /** Runs fn in one write transaction (many inserts at once are much faster that way). */
  transaction<T>(fn: () => T): T;
  /**
   * Builds and test runs left 'running' by a process that no longer exists (`alive` says which
   * owners still run) become 'interrupted', finished now. Returns their ids, so the caller can
   * remove what they half wrote. Rows from before owners were recorded count as orphaned.
   */
  markInterrupted(alive: (pid: number) => boolean, now?: number): { builds: { id: number; buildDir: string | null }[]; testRuns: number[] };
  /** The connection's settings as SQLite reports them (for the doctor and tests). */
  pragmas(): { journalMode: string; synchronous: number; foreignKeys: number; busyTimeout: number };
  close(): void;
}

function describeOpenError(file: string, e: unknown): StoreError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/not a database|malformed|file is encrypted/i.test(msg)) {
    return new StoreError(`${file} is not a readable Yoke database (${msg}). Move it away to start afresh, or use another --home.`);
  }
  // SQLite says "disk I/O error" (or "database or disk is full") on a full disk; the folder's
  // permissions are not the problem then, and saying so sent people the wrong way.
  const free = freeBytes(path.dirname(file));
  if (/disk is full|SQLITE_FULL/i.test(msg) || (/disk I\/O error|SQLITE_IOERR/i.test(msg) && free !== null && free < 1024 * 1024)) {
    return new StoreError(`Cannot open ${file}: the disk holding it is full (${free ?? 0} bytes free). Free some space there, or use another --home.`);
  }
  return new StoreError(`Cannot open ${file}: ${msg}. Check the folder's permissions or use another --home.`);
}

function freeBytes(dir: string): number | null {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return null;
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Reads the schema version without writing anything: a database from a newer Yoke must be left
 * exactly as it is. The version is read from the file header (user_version is the big-endian
 * int at offset 60), because even a read-only SQLite connection leaves -wal/-shm files behind.
 * Only when a WAL with content exists (it may hold a newer page 1) is SQLite asked, read-only.
 */
function schemaOnDisk(file: string): number {
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) {
    const probe = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return userVersion(probe);
    } finally {
      probe.close();
    }
  }
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n === 0) return 0; // an empty file is a database SQLite has not written yet
  if (n < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) throw new Error('file is not a database');
  return header.readInt32BE(60);
}

export function openStore(home: string, opts: { readonly?: boolean } = {}): Store {
  const file = path.join(home, DB_FILE);
  const exists = fs.existsSync(file);
  if (opts.readonly && !exists) throw new StoreError(`No Yoke database at ${file}. Run a Yoke command without read-only mode once to create it.`);
  if (exists) {
    let found: number;
    try {
      found = schemaOnDisk(file);
    } catch (e) {
      throw describeOpenError(file, e);
    }
    if (found > LATEST_VERSION) throw new StoreError(newerSchemaMessage(found));
    if (opts.readonly && found < LATEST_VERSION) {
      throw new StoreError(`${file} has schema ${found} and needs migrating to ${LATEST_VERSION}; open it once without read-only mode.`);
    }
  } else {
    fs.mkdirSync(home, { recursive: true });
  }

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: !!opts.readonly });
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrateTo(db, LATEST_VERSION);
    }
  } catch (e) {
    if (db?.open) db.close();
    if (e instanceof StoreError) throw e;
    throw describeOpenError(file, e);
  }
  return assemble(db, file);
}

function assemble(db: Database.Database, file: string): Store {
  const appliances = prepareApplianceQueries(db);
  const builds = prepareBuildQueries(db, appliances.ensureAppliance);
  const runs = prepareRunQueries(db);
  const vms = prepareVmQueries(db);
  const runningBuilds = db.prepare<[], { id: number; owner: number | null; buildDir: string | null }>(
    `SELECT id, owner_pid AS owner, build_dir AS buildDir FROM builds WHERE status = 'running'`,
  );
  const runningRuns = db.prepare<[], { id: number; owner: number | null }>(`SELECT id, owner_pid AS owner FROM test_runs WHERE status = 'running'`);
  const interruptBuild = db.prepare(
    `UPDATE builds SET status = 'interrupted', finished_at = @now, duration_ms = @now - created_at,
       error = COALESCE(error, 'The Yoke process running this build stopped before it finished.') WHERE id = @id AND status = 'running'`,
  );
  const interruptRun = db.prepare(`UPDATE test_runs SET status = 'interrupted', finished_at = @now WHERE id = @id AND status = 'running'`);
  const markInterrupted = db.transaction((alive: (pid: number) => boolean, now: number) => {
    const orphan = (owner: number | null) => owner === null || !alive(owner);
    const builds = runningBuilds.all().filter((b) => orphan(b.owner) && interruptBuild.run({ id: b.id, now }).changes > 0);
    const testRuns = runningRuns.all().filter((r) => orphan(r.owner) && interruptRun.run({ id: r.id, now }).changes > 0);
    return { builds: builds.map((b) => ({ id: b.id, buildDir: b.buildDir })), testRuns: testRuns.map((r) => r.id) };
  });
  const { ensureAppliance: _internal, ...applianceApi } = appliances;
  return {
    file,
    schemaVersion: userVersion(db),
    ...applianceApi,
    ...builds,
    ...runs,
    ...vms,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    markInterrupted: (alive, now = Date.now()) => markInterrupted(alive, now),
    pragmas: () => ({
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
      synchronous: db.pragma('synchronous', { simple: true }) as number,
      foreignKeys: db.pragma('foreign_keys', { simple: true }) as number,
      busyTimeout: db.pragma('busy_timeout', { simple: true }) as number,
    }),
    close: () => {
      if (db.open) db.close();
    },
  };
}
