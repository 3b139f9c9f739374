// The canary on real VMs: the released 1.0.0 against two candidates. One only changed its page's
// text: promoted. One removed an endpoint its own checks never look at: held, the request named
// with both status codes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from '../upgrade/helpers';

afterAll(removeTestHomes);

describe('yoke canary', () => {
  it('promotes a new page text and holds a removed endpoint, naming it with both status codes', async () => {
    const home = await makeTestHome('yoke-canary-');
    const v1 = makeAppliance(home, 'v1', '1.0.0');
    const oldId = await buildId(home, v1);
    expect((await cli(home, 'release', String(oldId))).code).toBe(0);

    // What real users did, as nginx would log it (the visits endpoint is in no check).
    const log = path.join(home, 'access.log');
    fs.writeFileSync(log, [
      '10.1.2.3 - - [29/Nov/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 120 "-" "Mozilla/5.0"',
      '10.1.2.3 - - [29/Nov/2026:09:00:01 +0000] "GET /cgi-bin/visits HTTP/1.1" 200 22 "http://app/" "Mozilla/5.0"',
      '10.1.2.4 - - [29/Nov/2026:09:00:02 +0000] "GET /favicon.ico HTTP/1.1" 404 0 "-" "Mozilla/5.0"',
    ].join('\n') + '\n');

    const textOnly = makeAppliance(home, 'v2-text', '1.1.0', (y, dir) => {
      const page = path.join(dir, 'rootfs/srv/www/index.html');
      fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('hello from hello-web', 'hello from hello-web, now greener'));
      return y;
    });
    const promote = await cli(home, 'canary', textOnly, '--from', 'released', '--requests', log, '--json');
    expect(promote.code, promote.err).toBe(0);
    expect(promote.json.canary).toMatchObject({ verdict: 'promote', requests: 3, differences: [], newErrors: [], from: { id: oldId, version: '1.0.0' }, to: { version: '1.1.0' } });
    expect(promote.json.canary.changedBodies).toBeGreaterThanOrEqual(1);

    const removed = makeAppliance(home, 'v2-removed', '1.1.1', (y, dir) => {
      fs.rmSync(path.join(dir, 'rootfs/srv/www/cgi-bin'), { recursive: true });
      return y;
    });
    const hold = await cli(home, 'canary', removed, '--from', 'released', '--requests', log, '--json');
    expect(hold.code).toBe(1);
    expect(hold.json.canary.verdict).toBe('hold');
    expect(hold.json.canary.differences).toEqual([
      expect.objectContaining({ request: 'GET /cgi-bin/visits (line 2)', why: 'status 200 → 404', old: expect.objectContaining({ status: 200 }), new: expect.objectContaining({ status: 404 }) }),
    ]);
    const text = await cli(home, 'canary', removed, '--from', 'released', '--requests', path.join(home, 'nope.har'));
    expect(text.code).toBe(2);
    expect(text.err).toMatch(/--requests .*nope\.har: no such file/);
  });
});
