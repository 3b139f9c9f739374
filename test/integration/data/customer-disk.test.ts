// QA gets a customer's data disk as their hypervisor exported it (here a VMware streamOptimized
// vmdk, the hardest case: compressed grains) and tests and upgrades against it. Yoke works on a
// converted copy: the customer's file stays byte-identical.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from '../upgrade/helpers';

afterAll(removeTestHomes);

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** The customer's data: an ext4 disk labelled `data` holding their file, made with e2fsprogs and qemu-img directly. */
function customerVmdk(dir: string): string {
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(tree, { recursive: true });
  fs.writeFileSync(path.join(tree, 'customer.txt'), 'orders from the customer\n');
  const raw = path.join(dir, 'customer-data.raw');
  execFileSync('truncate', ['-s', '64M', raw]);
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'data', '-d', tree, raw], { env: { ...process.env, PATH: `${process.env.PATH}:/sbin:/usr/sbin` } });
  const vmdk = path.join(dir, 'customer-data.vmdk');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk]);
  fs.rmSync(raw);
  return vmdk;
}

describe('a customer data disk (--data)', () => {
  it('is tested and upgraded from a streamOptimized vmdk, and the file stays byte-identical', async () => {
    const home = await makeTestHome('yoke-data-');
    const vmdk = customerVmdk(home);
    const before = sha(vmdk);
    // The check reads the customer's own file, which no seed script wrote.
    const withCheck = (y: string) => y.replace(/^checks:\n/m, 'checks:\n  - command: { run: "cat /data/customer.txt", stdout: "/from the customer/" }\n');
    const v1 = makeAppliance(home, 'v1', '1.0.0', withCheck);
    const v2 = makeAppliance(home, 'v2', '1.1.0', withCheck);
    const oldId = await buildId(home, v1);

    const t = await cli(home, 'test', '--build', String(oldId), '--data', vmdk, '--json');
    expect(t.code, t.err).toBe(0);
    expect(t.json.checks.find((c: { name: string }) => /cat \/data\/customer\.txt/.test(c.name))).toMatchObject({ status: 'passed' });

    await cli(home, 'release', String(oldId));
    const u = await cli(home, 'upgrade-test', v2, '--from', 'released', '--data', vmdk, '--json');
    expect(u.code, u.err).toBe(0);
    const pair = u.json.pairs[0];
    expect(pair.status).toBe('passed');
    // OLD ran on the customer's data, NEW found it after the upgrade.
    expect(pair.checks.filter((c: { name: string; phase: string }) => /cat \/data\/customer\.txt/.test(c.name)).map((c: { phase: string; status: string }) => `${c.phase}:${c.status}`)).toEqual(['old:passed', 'upgraded:passed']);

    expect(sha(vmdk)).toBe(before);
  });

  it('refuses a file that is no data disk, saying what to give instead', async () => {
    const home = await makeTestHome('yoke-data-bad-');
    const app = makeAppliance(home, 'app', '1.0.0');
    const id = await buildId(home, app);
    const junk = path.join(home, 'junk.img');
    fs.writeFileSync(junk, Buffer.alloc(1024 * 1024, 7));
    const r = await cli(home, 'test', '--build', String(id), '--data', junk);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no ext2\/3\/4 filesystem at its start.*give the data disk itself/s);
    const missing = await cli(home, 'test', '--build', String(id), '--data', path.join(home, 'nope.vmdk'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--data .*nope\.vmdk: no such file/);
  });
});
