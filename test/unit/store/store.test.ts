import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../../src-main/store/migrations';
import { openStore, StoreError, type Store } from '../../../src-main/store/store';
import { sha256, tmpHome } from './helpers';

const homes: string[] = [];
const stores: Store[] = [];
function home(): string {
  const h = tmpHome();
  homes.push(h);
  return h;
}
function open(h: string): Store {
  const s = openStore(h);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates the home folder and yoke.db with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const h = path.join(home(), 'nested', 'home');
    const s = open(h);
    expect(s.file).toBe(path.join(h, 'yoke.db'));
    expect(s.schemaVersion).toBe(LATEST_VERSION);
    // Read the settings back through SQLite itself, on the store's own connection and file.
    const db = new Database(s.file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal'); // persistent in the file
    db.close();
    expect(s.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: 1, busyTimeout: 5000 });
  });

  it('refuses a database written by a newer Yoke, with a clear message, and leaves it byte-identical', () => {
    const h = home();
    const file = path.join(h, 'yoke.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from the future');");
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = sha256(file);
    const filesBefore = fs.readdirSync(h).sort();

    expect(() => openStore(h)).toThrow(StoreError);
    expect(() => openStore(h)).toThrow(
      `yoke.db was written by a newer Yoke (schema ${LATEST_VERSION + 1}; this Yoke knows up to ${LATEST_VERSION}). Upgrade Yoke or use another --home.`,
    );
    expect(() => openStore(h, { readonly: true })).toThrow(/newer Yoke/);

    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(h).sort()).toEqual(filesBefore); // no -wal, -shm or backup left behind
  });

  it('says so when yoke.db is not a database, without touching it', () => {
    const h = home();
    const file = path.join(h, 'yoke.db');
    fs.writeFileSync(file, 'hello, I am a text file that someone saved as yoke.db\n'.repeat(5));
    const before = sha256(file);
    expect(() => openStore(h)).toThrow(/is not a readable Yoke database.*another --home/);
    expect(sha256(file)).toBe(before);
  });

  it('opens read-only for looking, and refuses writes there', () => {
    const h = home();
    const s = open(h);
    s.createBuild({ appliance: 'web', dir: '/w', version: '1.0.0' });
    s.close();
    const ro = openStore(h, { readonly: true });
    stores.push(ro);
    expect(ro.listBuilds()).toHaveLength(1);
    expect(() => ro.createBuild({ appliance: 'web', dir: '/w', version: '1.0.1' })).toThrow(/readonly/);
    expect(() => openStore(home(), { readonly: true })).toThrow(/No Yoke database/);
  });
});

describe('builds', () => {
  it('records a build with stages and artifacts and shows it on the build screen', () => {
    const s = open(home());
    const id = s.createBuild({ appliance: 'hello-web', dir: '/apps/hello', version: '1.0.0', logPath: '/h/b/1/build.log', createdAt: Date.UTC(2026, 0, 2) });
    s.addStage({ buildId: id, name: 'rootfs', status: 'succeeded', cacheHit: false, durationMs: 120.4, key: 'k1' });
    s.addStage({ buildId: id, name: 'os-disk', status: 'succeeded', cacheHit: true, durationMs: 3 });
    s.addArtifact({ buildId: id, format: 'raw', disk: 'os', kind: 'disk', path: '/h/b/1/os.img', bytes: 1024, sha256: 'aa' });
    s.addArtifact({ buildId: id, format: 'ova', kind: 'ova', path: '/h/b/1/hello.ova', bytes: 2048, sha256: 'bb' });
    s.finishBuild(id, { status: 'succeeded', durationMs: 450, bytes: 3072, usedBytes: 1536, inputsHash: 'abc' });

    const old = s.createTestRun({ buildId: id, kind: 'test', startedAt: 1 });
    s.addCheckResult(old, { name: 'web', kind: 'service', status: 'failed', message: 'not running', durationMs: 5 });
    const run = s.createTestRun({ buildId: id, kind: 'test', startedAt: 2 });
    s.addCheckResult(run, { name: 'web', kind: 'service', status: 'passed', message: 'running', durationMs: 5 });
    s.addCheckResult(run, { name: 'http /', kind: 'http', status: 'passed', message: '200', durationMs: 9, phase: 'after' });
    s.finishTestRun(run, { status: 'passed' });

    expect(s.getBuild(id)).toEqual({
      id, appliance: 'hello-web', version: '1.0.0', status: 'succeeded', testStatus: 'passed', createdAt: '2026-01-02T00:00:00.000Z',
      durationMs: 450, bytes: 3072, usedBytes: 1536, released: false, error: null, inputsHash: 'abc', dir: '/apps/hello', logPath: '/h/b/1/build.log',
      stages: [
        { name: 'rootfs', status: 'succeeded', cacheHit: false, durationMs: 120 },
        { name: 'os-disk', status: 'succeeded', cacheHit: true, durationMs: 3 },
      ],
      artifacts: [
        { format: 'raw', disk: 'os', kind: 'disk', path: '/h/b/1/os.img', bytes: 1024, sha256: 'aa' },
        { format: 'ova', kind: 'ova', path: '/h/b/1/hello.ova', bytes: 2048, sha256: 'bb' },
      ],
      checks: [
        { name: 'web', kind: 'service', status: 'passed', message: 'running', durationMs: 5 },
        { name: 'http /', kind: 'http', status: 'passed', message: '200', durationMs: 9, phase: 'after' },
      ],
    });
    expect(s.getBuild(id + 1)).toBeNull();
    expect(s.latestBuild('hello-web')?.id).toBe(id);
    expect(s.setReleased(id, true)).toBe(true);
    expect(s.listBuilds()[0].released).toBe(true);
    expect(s.setReleased(999, true)).toBe(false);
    // History shows what the files use on disk; a build measured later gets it recorded then.
    expect(s.listBuilds()[0]).toMatchObject({ bytes: 3072, usedBytes: 1536 });
    s.setUsedBytes(id, 2000);
    expect(s.listBuilds()[0].usedBytes).toBe(2000);
  });

  it('shows creation times to the millisecond, the same on the history and the build screen', () => {
    const s = open(home());
    const times = [0, 1, 999, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 12, 0, 0, 1), 1_767_312_000_123];
    for (const t of times) s.createBuild({ appliance: 'clock', dir: '/c', version: String(t), createdAt: t });
    const listed = s.listBuilds();
    for (const b of listed) {
      const t = Number(b.version);
      expect(b.createdAt).toBe(new Date(t).toISOString());
      expect(s.getBuild(b.id)!.createdAt).toBe(b.createdAt);
      expect(b.released).toBe(false);
    }
    expect(listed.map((b) => Number(b.version))).toEqual([...times].sort((a, b) => b - a));
  });

  it('rejects a status outside the known set', () => {
    const s = open(home());
    const id = s.createBuild({ appliance: 'a', dir: '/a', version: '1' });
    expect(() => s.finishBuild(id, { status: 'exploded' as 'failed' })).toThrow(/CHECK constraint/);
    expect(s.getBuild(id)?.status).toBe('running');
  });

  it('deletes a build with its stages, artifacts, test runs and checks, and returns the files to free', () => {
    const s = open(home());
    const a = s.createBuild({ appliance: 'web', dir: '/w', version: '1', buildDir: '/h/builds/1', logPath: '/h/builds/1/log' });
    const b = s.createBuild({ appliance: 'web', dir: '/w', version: '2', parentId: a });
    s.addStage({ buildId: a, name: 'rootfs', status: 'succeeded', cacheHit: false, durationMs: 1 });
    s.addArtifact({ buildId: a, format: 'raw', disk: 'os', kind: 'disk', path: '/h/builds/1/os.img', bytes: 1, sha256: 'x' });
    s.addArtifact({ buildId: a, format: 'cpio', kind: 'disk', path: '/h/cache/base.cpio', bytes: 1, sha256: 'y' });
    s.addArtifact({ buildId: b, format: 'cpio', kind: 'disk', path: '/h/cache/base.cpio', bytes: 1, sha256: 'y' });
    const run = s.createTestRun({ buildId: a, kind: 'test', consoleLog: '/h/runs/1/console.log' });
    s.addCheckResult(run, { name: 'x', kind: 'port', status: 'passed', message: '', durationMs: 1 });
    const upgrade = s.createTestRun({ buildId: b, kind: 'upgrade', fromBuildId: a });
    s.recordVm({ id: 'vm-1', buildId: a, purpose: 'test', accel: 'tcg', forwards: [] });

    const freed = s.deleteBuild(a);
    expect(freed.sort()).toEqual(['/h/builds/1', '/h/builds/1/log', '/h/builds/1/os.img', '/h/runs/1/console.log']);
    expect(s.getBuild(a)).toBeNull();

    const db = new Database(s.file, { readonly: true });
    const count = (sql: string) => db.prepare(sql).pluck().get();
    expect(count(`SELECT COUNT(*) FROM stages WHERE build_id = ${a}`)).toBe(0);
    expect(count(`SELECT COUNT(*) FROM artifacts WHERE build_id = ${a}`)).toBe(0);
    expect(count(`SELECT COUNT(*) FROM test_runs WHERE build_id = ${a}`)).toBe(0);
    expect(count(`SELECT COUNT(*) FROM check_results WHERE run_id = ${run}`)).toBe(0);
    // What pointed at the deleted build from elsewhere survives, pointing nowhere.
    expect(count(`SELECT parent_id FROM builds WHERE id = ${b}`)).toBeNull();
    expect(count(`SELECT from_build_id FROM test_runs WHERE id = ${upgrade}`)).toBeNull();
    expect(count(`SELECT build_id FROM vms WHERE id = 'vm-1'`)).toBeNull();
    db.close();
  });

  it('refuses rows pointing at a build that does not exist', () => {
    const s = open(home());
    expect(() => s.addStage({ buildId: 42, name: 'x', status: 'ok', cacheHit: false, durationMs: 0 })).toThrow(/FOREIGN KEY/);
  });
});

describe('appliances, VMs and crashes', () => {
  it('lists recently opened appliances, newest first, one row per name', () => {
    const s = open(home());
    s.upsertAppliance('a', '/a', 1000);
    s.upsertAppliance('b', '/b', 2000);
    s.upsertAppliance('a', '/moved/a', 3000);
    expect(s.recentAppliances()).toEqual([
      { name: 'a', dir: '/moved/a', lastOpened: new Date(3000).toISOString() },
      { name: 'b', dir: '/b', lastOpened: new Date(2000).toISOString() },
    ]);
  });

  it('tracks VMs and marks builds and runs whose process died as interrupted', () => {
    const s = open(home());
    const id = s.createBuild({ appliance: 'web', dir: '/w', version: '1.2.3', ownerPid: 999_001 });
    const mine = s.createBuild({ appliance: 'web', dir: '/w', version: '1.2.4' });
    const run = s.createTestRun({ buildId: id, kind: 'test', ownerPid: 999_001 });
    s.recordVm({ id: 'vm-a', buildId: id, purpose: 'test', pid: 1234, stateDir: '/h/vms/a', accel: 'tcg', forwards: [{ guest: 80, host: 40080 }] });
    s.recordVm({ id: 'vm-b', purpose: 'boot', accel: 'tcg', forwards: [] });
    expect(s.updateVm('vm-b', { status: 'stopped' })).toBe(true);
    expect(s.updateVm('nope', { status: 'stopped' })).toBe(false);

    const [a] = s.listVms({ status: 'running' });
    expect(a).toMatchObject({ id: 'vm-a', buildId: id, appliance: 'web', version: '1.2.3', pid: 1234, stateDir: '/h/vms/a', forwards: [{ guest: 80, host: 40080 }] });
    expect(s.listVms().find((v) => v.id === 'vm-b')?.stoppedAt).not.toBeNull();

    // Only this process is alive: the build and run owned by pid 999001 were left by a dead one.
    const alive = (pid: number) => pid === process.pid;
    expect(s.markInterrupted(alive)).toEqual({ builds: [{ id, buildDir: null }], testRuns: [run] });
    expect(s.getBuild(id)).toMatchObject({ status: 'interrupted', testStatus: 'interrupted', error: 'The Yoke process running this build stopped before it finished.' });
    expect(s.getBuild(id)?.interruptedAt).toMatch(/^\d{4}-/);
    expect(s.getBuild(mine)?.status).toBe('running');
    expect(s.markInterrupted(alive)).toEqual({ builds: [], testRuns: [] });
  });
});
