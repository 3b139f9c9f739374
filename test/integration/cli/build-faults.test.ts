// Faults a user causes for real: Ctrl-C in the middle of a build, and a data directory on a
// disk that fills up (a small tmpfs: mounting one needs root, which CI has; elsewhere skipped
// with the reason).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeTestHome, removeTestHomes, sharedKernelHome } from '../build/helpers';
import { sampleVariant, startYoke, yoke } from './cli-harness';

function buildRows(home: string): { id: number; status: string; error: string | null; build_dir: string | null }[] {
  const db = new Database(path.join(home, 'yoke.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, status, error, build_dir FROM builds ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

/** Files a build might have left half-written: anything in builds/ or a temp or partial cache entry. */
function leftovers(home: string): string[] {
  const out: string[] = [];
  for (const dir of ['builds', 'tmp']) {
    const root = path.join(home, dir);
    if (!fs.existsSync(root)) continue;
    for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true })) if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  const stages = path.join(home, 'cache', 'stages');
  if (fs.existsSync(stages)) for (const e of fs.readdirSync(stages)) if (/tmp|partial/i.test(e)) out.push(path.join(stages, e));
  return out;
}

afterAll(removeTestHomes);

describe('yoke build faults', () => {
  it('Ctrl-C mid-build cancels, cleans up and records the build as cancelled', async () => {
    const home = await makeTestHome('yoke-cli-sigint-');
    const run = startYoke(['build', sampleVariant(), '--no-cache'], { home });
    // Wait until the build is under way (its row exists), then press Ctrl-C.
    for (let i = 0; i < 200 && !fs.existsSync(path.join(home, 'logs')); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 700));
    run.proc.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cancel/i);
    const rows = buildRows(home);
    expect(rows.at(-1)!.status).toBe('cancelled');
    expect(leftovers(home)).toEqual([]);
  });

  it('a data directory on a full disk gives one clear error and no partial artifact', async (ctx) => {
    if (process.getuid?.() !== 0) {
      ctx.skip(); // mounting a tmpfs needs root; CI runs as root
      return;
    }
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
    try {
      const home = path.join(mnt, 'home');
      fs.mkdirSync(path.join(home, 'cache'), { recursive: true });
      // The kernel comes from the shared cache outside the small disk; everything the build writes lands on it.
      fs.symlinkSync(path.join(await sharedKernelHome(), 'cache', 'kernels'), path.join(home, 'cache', 'kernels'));
      const r = await yoke(['build', sampleVariant(), '--json'], { home });
      expect(r.code).toBe(1);
      const b = JSON.parse(r.stdout).build;
      expect(b.status).toBe('failed');
      expect(b.error).toMatch(/space/i);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(b.artifacts).toEqual([]);
      expect(leftovers(home)).toEqual([]);
      expect(buildRows(home).at(-1)!.error).toMatch(/space/i);
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });
});
