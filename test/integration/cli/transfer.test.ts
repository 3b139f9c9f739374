// A release built on a CI runner joins QA's desktop: exported with its artifacts, checks and logs,
// imported into another data directory (every SHA-256 checked), and a row of its Upgrades matrix.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from '../upgrade/helpers';

afterAll(removeTestHomes);

describe('yoke export / yoke import', () => {
  it('moves a tested, released build to another data directory, where it is a matrix row', async () => {
    const ci = await makeTestHome('yoke-ci-');
    const qa = await makeTestHome('yoke-qa-');
    const v1 = makeAppliance(ci, 'v1', '1.0.0');
    const t = await cli(ci, 'test', v1, '--json');
    expect(t.code, t.err).toBe(0);
    const id = t.json.build.id as number;
    await cli(ci, 'release', String(id));
    const archive = path.join(ci, 'hello-web-1.0.0.yoke');
    const ex = await cli(ci, 'export', String(id), archive, '--json');
    expect(ex.code, ex.err).toBe(0);
    expect(ex.json.export.bytes).toBe(fs.statSync(archive).size);

    // A damaged archive is refused whole: nothing lands in QA's history.
    const damaged = path.join(ci, 'damaged.yoke');
    const bytes = fs.readFileSync(archive);
    bytes[bytes.length - 4096 * 3] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    const bad = await cli(qa, 'import', damaged);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/has SHA-256 [0-9a-f]{64}, the record says [0-9a-f]{64}.*nothing was imported/);
    expect((await cli(qa, 'history', '--json')).json.builds).toEqual([]);

    const im = await cli(qa, 'import', archive, '--json');
    expect(im.code, im.err).toBe(0);
    expect(im.json.build).toMatchObject({ appliance: 'hello-web', version: '1.0.0', status: 'succeeded', released: true, testStatus: 'passed' });
    const engine = new Engine({ home: qa, face: 'cli' });
    try {
      const detail = await engine.request('builds.get', { id: im.json.build.id });
      expect(detail.checks.length).toBe(t.json.checks.length);
      for (const a of detail.artifacts) expect(fs.existsSync(a.path)).toBe(true);
      const log = await engine.request('builds.log', { id: im.json.build.id });
      expect(log.lines.some((l) => /succeeded in/.test(l.text))).toBe(true);
      // QA builds a candidate; the imported release is a row of its matrix.
      const cand = await buildId(qa, makeAppliance(qa, 'v2', '1.1.0'));
      const matrix = await engine.request('upgrades.matrix', { appliance: 'hello-web' });
      expect(matrix.rows.map((r) => r.id)).toEqual([im.json.build.id]);
      expect(matrix.cells).toEqual([{ fromBuildId: im.json.build.id, toBuildId: cand, status: 'not-run' }]);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
