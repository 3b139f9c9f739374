import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkOverlay } from '../../../src-main/build/rootfs';
import { affectedServices, CHUNK, diffSnapshots, needsReboot, putCommands, restartCommand, snapshot } from '../../../src-main/jobs/dev-sync';
import { loadSpec } from '../../../src-main/spec/load';
import { sampleApplianceDir } from '../../../src-main/util/resources';

function overlay(files: Record<string, string | { data: string; mode: number }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-devsync-'));
  for (const [rel, v] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof v === 'string' ? v : v.data);
    if (typeof v !== 'string') fs.chmodSync(p, v.mode);
  }
  return dir;
}

describe('dev sync', () => {
  it('finds added, changed, re-moded and deleted files, parents first and children of deletions first', async () => {
    const dir = overlay({ 'srv/www/index.html': 'v1', 'srv/www/old.txt': 'x', 'etc/app.conf': 'a' });
    const before = snapshot(await walkOverlay(dir, []));
    fs.writeFileSync(path.join(dir, 'srv/www/index.html'), 'v2');
    fs.rmSync(path.join(dir, 'srv/www/old.txt'));
    fs.chmodSync(path.join(dir, 'etc/app.conf'), 0o600);
    fs.mkdirSync(path.join(dir, 'srv/new'));
    fs.writeFileSync(path.join(dir, 'srv/new/page.html'), 'new');
    const d = diffSnapshots(before, snapshot(await walkOverlay(dir, [])));
    expect(d.put.map((f) => f.rel)).toEqual(['etc/app.conf', 'srv/new', 'srv/new/page.html', 'srv/www/index.html']);
    expect(d.remove).toEqual(['srv/www/old.txt']);
    expect(diffSnapshots(before, before)).toEqual({ put: [], remove: [] });
  });

  it('writes a file through a temporary name in base64 chunks that a real shell turns back into the same bytes and mode', async () => {
    const big = Buffer.alloc(CHUNK * 2 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 256;
    const dir = overlay({ 'srv/bin/tool': { data: big.toString('latin1'), mode: 0o750 } });
    fs.writeFileSync(path.join(dir, 'srv/bin/tool'), big);
    const f = (await walkOverlay(dir, [])).find((x) => x.rel === 'srv/bin/tool')!;
    const cmds = putCommands(f);
    expect(cmds.length).toBeGreaterThan(3);
    // Run them in a scratch root the way the guest's shell would (guest paths rewritten into it).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-devsync-root-'));
    for (const c of cmds) execFileSync('sh', ['-c', c.split("'/srv/").join(`'${root}/srv/`)]);
    const out = path.join(root, 'srv/bin/tool');
    expect(fs.readFileSync(out).equals(big)).toBe(true);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('750');
    expect(fs.existsSync(`${out}.yoke-sync`)).toBe(false);
  });

  it('restarts the services whose watched or named paths changed, else all of them', () => {
    const services = [
      { name: 'web', run: 'httpd -f -p 80 -h /srv/www' },
      { name: 'api', run: '/opt/api/server --config=/etc/api.conf' },
      { name: 'worker', run: 'sh /opt/worker.sh', watch: ['/opt/worker.sh', '/etc/worker'] },
    ];
    expect(affectedServices(services, ['/srv/www/index.html'])).toEqual(['web']);
    expect(affectedServices(services, ['/etc/api.conf'])).toEqual(['api']);
    expect(affectedServices(services, ['/etc/worker/jobs.d/a'])).toEqual(['worker']);
    expect(affectedServices(services, ['/etc/motd'])).toEqual(['web', 'api', 'worker']);
    expect(affectedServices(services, [])).toEqual([]);
    expect(restartCommand(['web'])).toContain("touch /run/yoke/services/$s.restart");
  });

  it('says which spec change a running VM cannot take', () => {
    const spec = loadSpec(sampleApplianceDir()).spec!;
    expect(needsReboot(spec, { ...spec, checks: [] })).toBeNull();
    expect(needsReboot(spec, { ...spec, vm: { ...spec.vm, memoryBytes: spec.vm.memoryBytes * 2 } })).toMatch(/^vm\.memory changed/);
    expect(needsReboot(spec, { ...spec, services: [{ name: 'web', run: 'httpd -f -p 81 -h /srv/www' }] })).toMatch(/^services changed/);
    expect(needsReboot(spec, { ...spec, services: spec.services.map((s) => ({ ...s, watch: ['/srv'] })) })).toBeNull();
  });
});
