import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, migrateTo, migrations, type Migration } from '../../../src-main/store/migrations';
import { openStore, StoreError } from '../../../src-main/store/store';
import { tmpHome } from './helpers';

const homes: string[] = [];
function home(): string {
  const h = tmpHome();
  homes.push(h);
  return h;
}
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}
function version(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
function backups(h: string): string[] {
  return fs.readdirSync(h).filter((n) => n.startsWith('yoke.db.bak-v')).sort();
}

describe('migrations', () => {
  it('are numbered 1..N without gaps, each with an up and a down', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) {
      expect(m.up.trim()).not.toBe('');
      expect(m.down.trim()).not.toBe('');
    }
  });

  it('go up, all the way down and up again, keeping data across a one-step round trip', () => {
    const h = home();
    openStore(h).close();
    const db = new Database(path.join(h, 'yoke.db'));
    db.pragma('foreign_keys = ON');
    expect(version(db)).toBe(LATEST_VERSION);
    db.prepare("INSERT INTO appliances (name, dir, last_opened) VALUES ('web', '/w', 1)").run();
    db.prepare("INSERT INTO builds (appliance_id, version, status, created_at) VALUES (1, '1.0.0', 'succeeded', 5)").run();

    migrateTo(db, LATEST_VERSION - 1);
    expect(version(db)).toBe(LATEST_VERSION - 1);
    migrateTo(db, LATEST_VERSION);
    expect(db.prepare('SELECT version FROM builds').pluck().all()).toEqual(['1.0.0']);

    migrateTo(db, 0);
    expect(version(db)).toBe(0);
    expect(tables(db)).toEqual([]);

    migrateTo(db, LATEST_VERSION);
    expect(version(db)).toBe(LATEST_VERSION);
    expect(tables(db)).toEqual(['appliances', 'artifacts', 'builds', 'check_results', 'stages', 'test_runs', 'vms']);
    db.close();
  });

  it('schema 7 takes update media as artifacts, keeps every artifact row across it, and drops only the media going down', () => {
    const h = home();
    openStore(h).close();
    const db = new Database(path.join(h, 'yoke.db'));
    db.pragma('foreign_keys = ON');
    migrateTo(db, 6);
    db.prepare("INSERT INTO appliances (name, dir, last_opened) VALUES ('web', '/w', 1)").run();
    db.prepare("INSERT INTO builds (appliance_id, version, status, created_at) VALUES (1, '1.0.0', 'succeeded', 5)").run();
    const add = db.prepare("INSERT INTO artifacts (build_id, format, disk, kind, path, bytes, sha256) VALUES (1, ?, NULL, ?, ?, 1, 'x')");
    add.run('yup', 'update-full', '/b/a.full.yup');
    expect(() => add.run('vmdk', 'update-medium', '/b/a.update.vmdk')).toThrow(/CHECK constraint/);
    migrateTo(db, 7);
    add.run('vmdk', 'update-medium', '/b/a.update.vmdk');
    expect(db.prepare('SELECT kind FROM artifacts ORDER BY id').pluck().all()).toEqual(['update-full', 'update-medium']);
    // The indexes came back with the rebuilt table, and deleting a build still deletes its artifacts.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'artifacts' ORDER BY name").pluck().all()).toEqual(['artifacts_build', 'artifacts_path']);
    migrateTo(db, 6);
    expect(db.prepare('SELECT kind FROM artifacts').pluck().all()).toEqual(['update-full']);
    migrateTo(db, 7);
    db.prepare('DELETE FROM builds').run();
    expect(db.prepare('SELECT COUNT(*) FROM artifacts').pluck().get()).toBe(0);
    db.close();
  });

  it('back the database up before each step, as a readable copy of the old schema, keeping the newest 2', () => {
    const h = home();
    const s = openStore(h);
    s.createBuild({ appliance: 'web', dir: '/w', version: '1.0.0' });
    s.close();
    expect(backups(h)).toEqual([]); // a brand-new database has nothing worth backing up

    const db = new Database(path.join(h, 'yoke.db'));
    migrateTo(db, LATEST_VERSION - 1);
    const bak = path.join(h, `yoke.db.bak-v${LATEST_VERSION}`);
    expect(fs.existsSync(bak)).toBe(true);
    const copy = new Database(bak, { readonly: true });
    expect(version(copy)).toBe(LATEST_VERSION);
    expect(copy.prepare('SELECT version FROM builds').pluck().all()).toEqual(['1.0.0']);
    copy.close();

    migrateTo(db, 0); // three more steps, three more backups: only the newest two stay
    expect(backups(h)).toEqual(['yoke.db.bak-v1', 'yoke.db.bak-v2']);
    db.close();
  });

  it('roll a failing migration back completely', () => {
    const h = home();
    const db = new Database(path.join(h, 'yoke.db'));
    const list: Migration[] = [
      { version: 1, up: 'CREATE TABLE a (x INTEGER);', down: 'DROP TABLE a;' },
      { version: 2, up: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);', down: 'DROP TABLE b;' },
    ];
    expect(() => migrateTo(db, 2, list)).toThrow(/nowhere/);
    expect(version(db)).toBe(1);
    expect(tables(db)).toEqual(['a']);
    db.close();
  });

  it('refuse a target this Yoke does not know', () => {
    const h = home();
    const db = new Database(path.join(h, 'yoke.db'));
    expect(() => migrateTo(db, LATEST_VERSION + 1)).toThrow(StoreError);
    expect(() => migrateTo(db, -1)).toThrow(/knows schemas 0 to/);
    db.close();
  });
});
