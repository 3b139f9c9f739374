import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { StoreError } from './errors';

export interface Migration {
  /** user_version after `up` has run; `down` brings the database back to version - 1. */
  version: number;
  up: string;
  down: string;
}

// Times are INTEGER milliseconds since the epoch (cheap to index and sort); the query layer
// turns them into ISO strings. Child tables are dropped before their parents on the way down
// because foreign_keys is ON.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE appliances (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        dir TEXT NOT NULL,
        last_opened INTEGER NOT NULL
      );
      CREATE TABLE builds (
        id INTEGER PRIMARY KEY,
        appliance_id INTEGER NOT NULL REFERENCES appliances(id),
        version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled','interrupted')),
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        duration_ms INTEGER,
        inputs_hash TEXT,
        dir TEXT,
        build_dir TEXT,
        log_path TEXT,
        bytes INTEGER,
        error TEXT,
        released INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0,1)),
        parent_id INTEGER REFERENCES builds(id) ON DELETE SET NULL,
        flavour TEXT
      );
      CREATE TABLE stages (
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        cache_hit INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        key TEXT,
        PRIMARY KEY (build_id, seq)
      );
      CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        disk TEXT CHECK (disk IN ('os','data')),
        kind TEXT NOT NULL CHECK (kind IN ('disk','ova','update-full','update-diff','log','screenshot','console')),
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX artifacts_build ON artifacts(build_id);
      CREATE INDEX artifacts_path ON artifacts(path);
      CREATE INDEX builds_parent ON builds(parent_id);
    `,
    down: `
      DROP TABLE artifacts;
      DROP TABLE stages;
      DROP TABLE builds;
      DROP TABLE appliances;
    `,
  },
  {
    version: 2,
    up: `
      CREATE TABLE test_runs (
        id INTEGER PRIMARY KEY,
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('test','upgrade')),
        status TEXT NOT NULL CHECK (status IN ('running','passed','failed','cancelled','interrupted')),
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        from_build_id INTEGER REFERENCES builds(id) ON DELETE SET NULL,
        console_log TEXT,
        screenshot TEXT
      );
      CREATE INDEX test_runs_build ON test_runs(build_id, started_at DESC, id DESC);
      CREATE INDEX test_runs_from ON test_runs(from_build_id);
      CREATE TABLE check_results (
        run_id INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('passed','failed')),
        message TEXT NOT NULL DEFAULT '',
        duration_ms INTEGER NOT NULL DEFAULT 0,
        phase TEXT,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE vms (
        id TEXT PRIMARY KEY,
        build_id INTEGER REFERENCES builds(id) ON DELETE SET NULL,
        purpose TEXT NOT NULL,
        pid INTEGER,
        state_dir TEXT,
        accel TEXT NOT NULL CHECK (accel IN ('kvm','tcg')),
        status TEXT NOT NULL CHECK (status IN ('running','stopped','interrupted')),
        started_at INTEGER NOT NULL,
        stopped_at INTEGER,
        forwards_json TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX vms_build ON vms(build_id);
    `,
    down: `
      DROP TABLE vms;
      DROP TABLE check_results;
      DROP TABLE test_runs;
    `,
  },
  {
    version: 3,
    // The history screen reads newest first, for all appliances or one; id breaks ties so
    // the index alone gives the order (no sort step over 10,000 rows).
    up: `
      CREATE INDEX builds_history ON builds(created_at DESC, id DESC);
      CREATE INDEX builds_appliance_history ON builds(appliance_id, created_at DESC, id DESC);
    `,
    down: `
      DROP INDEX builds_appliance_history;
      DROP INDEX builds_history;
    `,
  },
  {
    version: 4,
    // Facts that were guessed before: which process runs a build or run (so one whose process is
    // gone is marked interrupted), the upgrade method a run used, the spec line of each check.
    up: `
      ALTER TABLE builds ADD COLUMN owner_pid INTEGER;
      ALTER TABLE test_runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE test_runs ADD COLUMN method TEXT CHECK (method IN ('swap','package'));
      ALTER TABLE check_results ADD COLUMN line INTEGER;
      CREATE INDEX test_runs_build_kind ON test_runs(build_id, kind, started_at DESC, id DESC);
    `,
    down: `
      DROP INDEX test_runs_build_kind;
      ALTER TABLE check_results DROP COLUMN line;
      ALTER TABLE test_runs DROP COLUMN method;
      ALTER TABLE test_runs DROP COLUMN owner_pid;
      ALTER TABLE builds DROP COLUMN owner_pid;
    `,
  },
  {
    version: 5,
    // What an upgrade run left running: the version the appliance ended on, and whether it got
    // there by rolling an update back by itself (A/B slots).
    up: `
      ALTER TABLE test_runs ADD COLUMN after_version TEXT;
      ALTER TABLE test_runs ADD COLUMN rolled_back INTEGER CHECK (rolled_back IN (0, 1));
    `,
    down: `
      ALTER TABLE test_runs DROP COLUMN rolled_back;
      ALTER TABLE test_runs DROP COLUMN after_version;
    `,
  },
  {
    version: 6,
    // Bytes a build's files occupy on disk (allocated blocks): disk images are sparse, so History
    // shows this beside the apparent size. NULL for builds made before it was measured.
    up: `ALTER TABLE builds ADD COLUMN used_bytes INTEGER;`,
    down: `ALTER TABLE builds DROP COLUMN used_bytes;`,
  },
  {
    version: 7,
    // A new artifact kind, the update medium (a disk holding the full update package). SQLite
    // cannot change a CHECK in place: the table is rebuilt with the same rows and indexes. Down
    // drops the media's rows (an older Yoke would refuse them).
    up: `
      CREATE TABLE artifacts_new (
        id INTEGER PRIMARY KEY,
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        disk TEXT CHECK (disk IN ('os','data')),
        kind TEXT NOT NULL CHECK (kind IN ('disk','ova','update-full','update-diff','update-medium','log','screenshot','console')),
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL
      );
      INSERT INTO artifacts_new SELECT id, build_id, format, disk, kind, path, bytes, sha256 FROM artifacts;
      DROP TABLE artifacts;
      ALTER TABLE artifacts_new RENAME TO artifacts;
      CREATE INDEX artifacts_build ON artifacts(build_id);
      CREATE INDEX artifacts_path ON artifacts(path);
    `,
    down: `
      CREATE TABLE artifacts_old (
        id INTEGER PRIMARY KEY,
        build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        disk TEXT CHECK (disk IN ('os','data')),
        kind TEXT NOT NULL CHECK (kind IN ('disk','ova','update-full','update-diff','log','screenshot','console')),
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL
      );
      INSERT INTO artifacts_old SELECT id, build_id, format, disk, kind, path, bytes, sha256 FROM artifacts WHERE kind != 'update-medium';
      DROP TABLE artifacts;
      ALTER TABLE artifacts_old RENAME TO artifacts;
      CREATE INDEX artifacts_build ON artifacts(build_id);
      CREATE INDEX artifacts_path ON artifacts(path);
    `,
  },
];

export const LATEST_VERSION = migrations[migrations.length - 1].version;

/** How many `yoke.db.bak-v*` files are kept; older ones are deleted after each new backup. */
export const BACKUPS_KEPT = 2;

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function newerSchemaMessage(found: number, known = LATEST_VERSION): string {
  return `yoke.db was written by a newer Yoke (schema ${found}; this Yoke knows up to ${known}). Upgrade Yoke or use another --home.`;
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined;
}

/**
 * Copies the database to `yoke.db.bak-v<from>` (VACUUM INTO: a consistent copy, WAL folded in,
 * and synchronous, unlike db.backup()), then keeps only the newest BACKUPS_KEPT backups.
 */
export function backupDatabase(db: Database.Database, from: number): string | null {
  const file = db.name;
  if (!file || file === ':memory:' || db.memory) return null;
  const target = `${file}.bak-v${from}`;
  fs.rmSync(target, { force: true });
  db.prepare('VACUUM INTO ?').run(target);
  pruneBackups(file);
  return target;
}

export function pruneBackups(dbFile: string, keep = BACKUPS_KEPT): string[] {
  const dir = path.dirname(dbFile);
  const prefix = `${path.basename(dbFile)}.bak-v`;
  const backups = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ file: path.join(dir, n), mtime: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  const removed = backups.slice(keep).map((b) => b.file);
  for (const f of removed) fs.rmSync(f, { force: true });
  return removed;
}

/**
 * Moves the schema to `target` one migration at a time, each in its own transaction with a
 * backup taken just before it. A database that started empty is not backed up (nothing to lose).
 */
export function migrateTo(db: Database.Database, target: number, list: readonly Migration[] = migrations): void {
  const known = list.length ? list[list.length - 1].version : 0;
  if (!Number.isInteger(target) || target < 0 || target > known) {
    throw new StoreError(`Cannot migrate yoke.db to schema ${target}: this Yoke knows schemas 0 to ${known}.`);
  }
  let current = userVersion(db);
  if (current > known) throw new StoreError(newerSchemaMessage(current, known));
  const fresh = current === 0 && !hasTables(db);
  while (current !== target) {
    const up = current < target;
    const step = up ? list.find((m) => m.version === current + 1) : list.find((m) => m.version === current);
    if (!step) throw new StoreError(`No migration ${up ? 'to' : 'from'} schema ${up ? current + 1 : current} in this Yoke.`);
    if (!fresh) backupDatabase(db, current);
    const next = up ? step.version : step.version - 1;
    const sql = up ? step.up : step.down;
    // Another process (the desktop app and a CLI sharing a home) may have migrated meanwhile:
    // re-read the version under the write lock and only apply the step if it is still due.
    const from = current;
    db.transaction(() => {
      if (userVersion(db) !== from) return;
      db.exec(sql);
      db.pragma(`user_version = ${next}`);
    }).immediate();
    current = userVersion(db);
    if (current > known) throw new StoreError(newerSchemaMessage(current, known));
  }
}
