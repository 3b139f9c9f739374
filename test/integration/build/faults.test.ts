import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { loadSpec } from '../../../src-main/spec/load';
import { makeTestHome, removeTestHomes } from './helpers';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');
const PATH = process.env.PATH;

function copySample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fault-'));
  fs.cpSync(SAMPLE, dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  return dir;
}

/** A stand-in for a real tool, first on PATH, that misbehaves the given way. */
function fakeTool(name: string, body: string): void {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fakebin-'));
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  process.env.PATH = `${bin}:${PATH}`;
}

/** No partial artifact, no half cache entry, no leftover temp files. */
function expectNothingLeft(home: string): void {
  const builds = path.join(home, 'builds', 'hello-web');
  expect(fs.existsSync(builds) ? fs.readdirSync(builds) : []).toEqual([]);
  const stages = path.join(home, 'cache', 'stages');
  for (const e of fs.existsSync(stages) ? fs.readdirSync(stages) : []) {
    expect(e.startsWith('.')).toBe(false);
    expect(fs.existsSync(path.join(stages, e, 'entry.json'))).toBe(true);
  }
  expect(fs.existsSync(path.join(home, 'tmp')) ? fs.readdirSync(path.join(home, 'tmp')) : []).toEqual([]);
}

async function buildError(home: string, dir: string, extra: Partial<Parameters<typeof runBuild>[0]> = {}): Promise<Error> {
  const spec = loadSpec(dir).spec!;
  const err = await runBuild({ home, spec, outputs: ['raw'], flavour: 'small', ...extra }).then(
    () => null,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err!;
}

describe('bad input and faults give one clear error and leave nothing behind', () => {
  afterAll(removeTestHomes);
  afterEach(() => {
    process.env.PATH = PATH;
  });

  it('refuses a symlink to a file that exists only on the build machine', async () => {
    const home = await makeTestHome();
    const dir = copySample();
    const secret = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-host-')), 'secret.txt');
    fs.writeFileSync(secret, 'host only');
    fs.symlinkSync(secret, path.join(dir, 'rootfs/srv/www/secret.txt'));
    const err = await buildError(home, dir);
    expect(err.message).toContain(`points to ${secret}, a file on this machine that is not in the appliance`);
    expectNothingLeft(home);
  });

  it('keeps symlinks into the image as symlinks, and refuses relative ones escaping the overlay', async () => {
    const home = await makeTestHome();
    const dir = copySample();
    fs.symlinkSync('/bin/busybox', path.join(dir, 'rootfs/srv/www/bb'));
    const spec = loadSpec(dir).spec!;
    await runBuild({ home, spec, outputs: ['raw'], flavour: 'small' });
    fs.symlinkSync('../../../../appliance.yaml', path.join(dir, 'rootfs/srv/www/up'));
    const home2 = await makeTestHome();
    const err = await buildError(home2, dir);
    expect(err.message).toMatch(/symlink .*up points to \.\.\/\.\.\/\.\.\/\.\.\/appliance\.yaml, outside the overlay/);
    expectNothingLeft(home2);
  });

  it('refuses a file bigger than the OS disk before building anything', async () => {
    const home = await makeTestHome();
    const dir = copySample();
    const big = path.join(dir, 'rootfs/srv/big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 80 * 1024 * 1024);
    const err = await buildError(home, dir);
    expect(err.message).toContain('(80.0 MiB) is bigger than the OS disk (64.0 MiB)');
    expectNothingLeft(home);
  });

  it('reports a tool that crashes with its command line', async () => {
    const home = await makeTestHome();
    fakeTool('qemu-img', 'echo "qemu-img: internal error" >&2; kill -SEGV $$');
    const err = await buildError(home, SAMPLE, { outputs: ['qcow2'] });
    expect(err.message).toMatch(/Crashed with SIGSEGV: qemu-img convert .*hello-web-os\.qcow2/);
    expect(err.message).toContain('qemu-img: internal error');
    expectNothingLeft(home);
  });

  it('reports a full disk while writing an image', async () => {
    const home = await makeTestHome();
    fakeTool('mke2fs', 'echo "mke2fs: No space left on device while writing out and closing file system" >&2; exit 1');
    const err = await buildError(home, SAMPLE);
    expect(err.message).toMatch(/^Ran out of disk space .*: mke2fs /);
    expectNothingLeft(home);
  });

  it('stops cleanly when cancelled mid-build', async () => {
    const home = await makeTestHome();
    const ac = new AbortController();
    const err = await buildError(home, SAMPLE, {
      signal: ac.signal,
      outputs: ['raw', 'qcow2'],
      onStage: (s) => s.name === 'os-disk' && s.status === 'running' && setTimeout(() => ac.abort(), 20),
    });
    expect(err.name).toBe('CancelledError');
    expect(err.message).toBe('The build was cancelled.');
    expectNothingLeft(home);
  });

  it('warns about secrets in the overlay, and a strict build refuses them', async () => {
    const home = await makeTestHome();
    const dir = copySample();
    fs.writeFileSync(path.join(dir, 'rootfs/srv/.env'), 'PASSWORD=hunter2\n');
    fs.mkdirSync(path.join(dir, 'rootfs/root'));
    fs.writeFileSync(path.join(dir, 'rootfs/root/.ash_history'), 'ls\n');
    const spec = loadSpec(dir).spec!;
    const ok = await runBuild({ home, spec, outputs: ['raw'], flavour: 'small' });
    expect(ok.warnings.join('\n')).toMatch(/\/srv\/\.env looks like a \.env file/);
    expect(ok.warnings.join('\n')).toMatch(/\/root\/\.ash_history looks like shell history/);
    const home2 = await makeTestHome();
    const err = await buildError(home2, dir, { strict: true });
    expect(err.message).toContain('Strict build refused');
    expectNothingLeft(home2);
  });
});
