import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreateApplianceRequest } from '../../../src-main/api/contract';
import { EngineError } from '../../../src-main/api/errors';
import { CHECK_KINDS } from '../../../src-main/checks/kinds';
import { applianceYaml, createAppliance, validateAnswers } from '../../../src-main/api/wizard';
import { parse } from 'yaml';
import { loadSpec } from '../../../src-main/spec/load';

const web: CreateApplianceRequest = {
  dir: '',
  name: 'my-web',
  version: '1.0.0',
  description: 'Shop: "front" #1',
  template: 'web',
  services: [{ name: 'web', run: 'httpd -f -p 80 -h /srv/www' }],
  forwards: [{ guest: 80 }, { guest: 443, host: 8443 }],
  osSize: '64M',
  dataSize: '64M',
  flavours: [
    { name: 'small', data: '64M' },
    { name: 'large', data: '1G' },
  ],
  outputs: ['raw', 'qcow2', 'ova'],
  checks: [
    { kind: 'service', fields: { service: 'web' } },
    { kind: 'port', fields: { port: 80 } },
    { kind: 'http', fields: { port: 80, path: '/', status: 200, contains: 'hello' } },
    { kind: 'mount', fields: { path: '/data' } },
    { kind: 'file', fields: { path: '/srv/www/index.html', contains: 'hello' } },
    { kind: 'command', fields: { run: 'echo "a: b" # not a comment', stdout: 'a: b' } },
  ],
};
const empty: CreateApplianceRequest = { ...web, name: 'bare', template: 'empty', description: undefined, services: [], forwards: [], checks: [], flavours: [], dataSize: null, outputs: ['raw'] };

const tmp: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-wizard-test-'));
  tmp.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('applianceYaml', () => {
  it.each([
    ['a web service with every kind of check', web],
    ['an empty busybox appliance with no data disk', empty],
    ['a pre-release version and a multi-service appliance', { ...web, version: '2.0.0-rc.1+build.5', services: [...web.services, { name: 'cron', run: "crond -f -c /etc/crontabs" }], checks: [{ kind: 'service', fields: { service: 'cron' } }] }],
  ])('writes a spec that loads without problems: %s', (_label, answers) => {
    expect(validateAnswers(answers).problems).toEqual([]);
  });

  it('explains the keys in comments and keeps the answers exact', () => {
    const dir = tmpDir();
    createAppliance({ ...web, dir });
    const text = fs.readFileSync(path.join(dir, 'appliance.yaml'), 'utf8');
    expect(text).toMatch(/^# appliance\.yaml for my-web/);
    expect(text).toMatch(/overlay: rootfs\s+# /);
    const spec = loadSpec(dir).spec!;
    expect(spec.description).toBe('Shop: "front" #1');
    expect(spec.checks.find((c) => c.kind === 'command')).toMatchObject({ run: 'echo "a: b" # not a comment', stdout: 'a: b' });
    expect(spec.network.forward).toEqual([{ guest: 80 }, { guest: 443, host: 8443 }]);
    expect(Object.keys(spec.flavours)).toEqual(['small', 'large']);
    expect(spec.disks.data?.sizeBytes).toBe(64 * 1024 * 1024);
    expect(fs.readFileSync(path.join(dir, 'rootfs/srv/www/index.html'), 'utf8')).toContain('hello from my-web');
  });

  it('reports bad answers at their line and writes nothing', () => {
    const dir = path.join(tmpDir(), 'new');
    const bad = { ...web, dir, name: 'My Web', osSize: '64Q' };
    expect(applianceYaml(bad)).toContain('name: My Web');
    expect(() => createAppliance(bad)).toThrow(/appliance\.yaml:4:\d+: .*name/);
    expect(() => createAppliance(bad)).toThrow(/bad size '64Q'/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('never overwrites an existing appliance.yaml, but fills a folder that has none', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'appliance.yaml'), 'name: mine\n');
    expect(() => createAppliance({ ...web, dir })).toThrow(EngineError);
    expect(fs.readFileSync(path.join(dir, 'appliance.yaml'), 'utf8')).toBe('name: mine\n');

    const other = tmpDir();
    fs.mkdirSync(path.join(other, 'rootfs/srv/www'), { recursive: true });
    fs.writeFileSync(path.join(other, 'rootfs/srv/www/index.html'), 'my own page\n');
    const summary = createAppliance({ ...web, dir: other });
    expect(summary.valid).toBe(true);
    expect(fs.readFileSync(path.join(other, 'rootfs/srv/www/index.html'), 'utf8')).toBe('my own page\n');
  });

  // Issue 15 item 1: answers were pasted into YAML text, so a crafted answer became keys of its own.
  const HOOK = "raw]\nhooks: {post-build: [appliance.yaml]}\n#";
  it('an outputs entry carrying YAML is a bad output name, never a post-build hook', () => {
    const dir = path.join(tmpDir(), 'evil');
    const evil = { ...web, dir, outputs: [HOOK] };
    const doc = parse(applianceYaml(evil)) as Record<string, unknown>;
    expect(doc.hooks).toBeUndefined();
    expect(doc.outputs).toEqual([HOOK]);
    expect(() => createAppliance(evil)).toThrow(/appliance\.yaml:\d+:\d+: expected one of raw, /);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('every text answer stays inside its own value, whatever characters it holds', () => {
    const nasty = `x\nhooks: {post-build: [appliance.yaml]}\n# ' " ] } : - |`;
    const answers: CreateApplianceRequest = {
      ...web,
      name: nasty,
      version: nasty,
      description: nasty,
      services: [{ name: nasty, run: nasty }],
      osSize: nasty,
      dataSize: nasty,
      memory: nasty,
      flavours: [{ name: nasty, data: nasty }],
      outputs: [nasty],
      checks: [
        { kind: 'service', fields: { service: nasty } },
        { kind: 'http', fields: { port: 80, path: nasty, status: 200, contains: nasty } },
        { kind: 'mount', fields: { path: nasty } },
        { kind: 'file', fields: { path: nasty, contains: nasty } },
        { kind: 'command', fields: { run: nasty, stdout: nasty } },
      ],
    };
    const doc = parse(applianceYaml(answers)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['name', 'version', 'description', 'base', 'rootfs', 'services', 'disks', 'flavours', 'vm', 'network', 'outputs', 'checks']);
    expect(doc.name).toBe(nasty);
    expect(doc.description).toBe(nasty.trim());
    expect(doc.services).toEqual([{ name: nasty, run: nasty }]);
    expect((doc.checks as unknown[])[4]).toEqual({ command: { run: nasty, stdout: nasty } });
    expect(validateAnswers(answers).problems.length).toBeGreaterThan(0);
  });

  it('takes a two-line description and keeps both lines', () => {
    const dir = tmpDir();
    const summary = createAppliance({ ...web, dir, description: 'A shop.\nSells hats: and "caps".' });
    expect(summary.valid).toBe(true);
    expect(loadSpec(dir).spec!.description).toBe('A shop.\nSells hats: and "caps".');
  });

  it('writes each kind the way its registry module says, and refuses checks the registry does not know', () => {
    const text = applianceYaml(web);
    expect(text).toContain('  - service: web\n');
    expect(text).toContain('  - http: { port: 80, path: /, status: 200, contains: hello }\n');
    expect(text).toContain('  - mount: /data\n');
    const dir = path.join(tmpDir(), 'new');
    const withCheck = (c: CreateApplianceRequest['checks'][number]) => ({ ...web, dir, checks: [c] });
    expect(() => createAppliance(withCheck({ kind: 'ping', fields: { host: 'x' } }))).toThrow(`Check 1: unknown check kind 'ping'; the kinds are ${CHECK_KINDS.join(', ')}.`);
    expect(() => createAppliance(withCheck({ kind: 'port', fields: {} }))).toThrow(/a port check needs guest tcp port \(port\)/);
    expect(() => createAppliance(withCheck({ kind: 'port', fields: { port: 'eighty' } }))).toThrow(/must be a number, found 'eighty'/);
    expect(() => createAppliance(withCheck({ kind: 'file', fields: { path: '/x', owner: 'root' } }))).toThrow(/a file check has no field 'owner'/);
    try {
      createAppliance(withCheck({ kind: 'ping', fields: {} }));
    } catch (e) {
      expect((e as EngineError).code).toBe('invalid-request');
    }
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('the wizard’s Debian base', () => {
  const debian: CreateApplianceRequest = {
    ...web,
    name: 'shop-db',
    template: 'debian',
    debian: { release: 'bookworm', packages: ['nginx', 'postgresql'], state: ['/var/lib/postgresql'] },
    services: [{ name: 'web', run: "nginx -g 'daemon off;'" }],
    osSize: '256M',
    flavours: [],
    checks: [{ kind: 'http', fields: { port: 80, path: '/', status: 200, contains: 'hello' } }],
  };

  it('writes base.userland debian with the release, packages and state directories, and an nginx page', () => {
    const dir = tmpDir();
    createAppliance({ ...debian, dir });
    const text = fs.readFileSync(path.join(dir, 'appliance.yaml'), 'utf8');
    expect(text).toMatch(/userland: debian\s+# real Debian packages/);
    expect(text).toMatch(/packages: \[ nginx, postgresql \]\s+# installed with their dependencies/);
    const spec = loadSpec(dir).spec!;
    expect(spec.base).toMatchObject({ userland: 'debian', release: 'bookworm', packages: ['nginx', 'postgresql'], state: ['/var/lib/postgresql'] });
    expect(fs.readFileSync(path.join(dir, 'rootfs/var/www/html/index.html'), 'utf8')).toContain('hello from shop-db');
  });

  it('refuses state directories without a data disk and a bad package name, at their lines', () => {
    const bad = validateAnswers({ ...debian, dataSize: null, debian: { release: 'bookworm', packages: ['Nginx'], state: ['/var/lib/postgresql'] } });
    const messages = bad.problems.map((p) => `${p.line}: ${p.message}`).join('\n');
    expect(messages).toMatch(/bad package name 'Nginx'/);
    expect(messages).toMatch(/state/);
  });
});
