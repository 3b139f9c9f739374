import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../../../src-main/cli/commands/validate';
import type { CliContext } from '../../../../src-main/cli/types';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/specs');

async function run(positionals: string[], json = false) {
  let out = '';
  let err = '';
  const ctx: CliContext = { home: '/nonexistent-yoke-home', json, tty: false, out: (t) => (out += t), err: (t) => (err += t) };
  const code = await validateCommand.run(ctx, { values: {}, positionals });
  return { code, out, err };
}

describe('yoke validate', () => {
  it('prints a one-line summary and exits 0 for a valid spec', async () => {
    const r = await run([path.join(FIXTURES, 'valid')]);
    expect(r).toEqual({ code: 0, out: 'hello-web 1.0.0: valid (2 services, 7 checks)\n', err: '' });
  });

  it('prints every problem as PATH/appliance.yaml:LINE:COL: message on stderr and exits 2', async () => {
    const dir = path.join(FIXTURES, 'many-problems');
    const r = await run([dir]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    const file = path.relative(process.cwd(), path.join(dir, 'appliance.yaml'));
    expect(lines[0]).toBe(`${file}:1:7: bad name 'Hello_Web': use lower-case letters, digits and '-', starting with a letter or digit (like hello-web)`);
    expect(lines[3]).toBe(`${file}:8:16: port must be between 1 and 65535, found 0`);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe(`5 problems in ${file}`);
  });

  it('with --json prints one document on stdout', async () => {
    const bad = await run([path.join(FIXTURES, 'bad-size')], true);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('');
    const doc = JSON.parse(bad.out);
    expect(doc.valid).toBe(false);
    expect(doc.appliance).toBeNull();
    expect(doc.problems).toEqual([
      { file: path.join(FIXTURES, 'bad-size/appliance.yaml'), line: 4, col: 15, message: "bad size '1Q': expected a number and a unit, like 512M, 1G, 20G", path: 'disks.os.size' },
    ]);
    const good = await run([path.join(FIXTURES, 'minimal')], true);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ valid: true, problems: [], appliance: { name: 'tiny', version: '0.1.0' } });
  });

  it('refuses two folders as a usage error', async () => {
    await expect(run(['a', 'b'])).rejects.toThrow('expected at most one appliance folder, got 2: a b');
  });
});
