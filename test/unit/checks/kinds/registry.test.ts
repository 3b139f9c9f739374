import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckKindInfo, type CreateApplianceRequest } from '../../../../src-main/api/contract';
import { applianceYaml } from '../../../../src-main/api/wizard';
import { allCheckKinds, CHECK_KINDS, checkKind, checkKindsInfo, wizardCheckProblem } from '../../../../src-main/checks/kinds';
import { loadSpec } from '../../../../src-main/spec/load';

// The registry is the one place a check kind is named: these tests walk it generically, so a new
// kind is covered the moment its file is registered.
const KINDS_DIR = path.resolve(__dirname, '../../../../src-main/checks/kinds');

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const answers = (checks: CreateApplianceRequest['checks']): CreateApplianceRequest => ({
  dir: '',
  name: 'kinds',
  version: '1.0.0',
  template: 'empty',
  services: [{ name: 'web', run: 'httpd -f -p 80' }],
  forwards: [{ guest: 80 }],
  osSize: '64M',
  dataSize: '64M',
  flavours: [],
  outputs: ['raw'],
  checks,
});

function load(yaml: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-kinds-'));
  tmp.push(dir);
  fs.writeFileSync(path.join(dir, 'appliance.yaml'), yaml);
  fs.mkdirSync(path.join(dir, 'rootfs'));
  return loadSpec(dir);
}

describe('check kind registry', () => {
  it('registers every module of src-main/checks/kinds, each named for its file', () => {
    const files = fs.readdirSync(KINDS_DIR).filter((f) => f.endsWith('.ts') && !['index.ts', 'kind.ts'].includes(f)).map((f) => f.replace(/\.ts$/, ''));
    expect([...CHECK_KINDS].sort()).toEqual(files.sort());
    expect(CHECK_KINDS).toEqual(expect.arrayContaining(['service', 'port', 'http', 'mount', 'file', 'command']));
  });

  it.each(allCheckKinds().map((k) => k.kind))('%s: the wizard line of its example loads back as a check of that kind', (kind) => {
    const k = checkKind(kind)!;
    expect(wizardCheckProblem({ kind, fields: k.example })).toBeNull();
    const r = load(applianceYaml(answers([{ kind, fields: k.example }])));
    expect(r.problems).toEqual([]);
    expect(r.spec!.checks).toHaveLength(1);
    expect(r.spec!.checks[0]).toMatchObject({ kind, name: expect.stringMatching(new RegExp(`^${kind} `)), timeoutMs: 30_000 });
  });

  it.each(allCheckKinds().map((k) => k.kind))('%s: a missing required field is refused before any YAML is written', (kind) => {
    const k = checkKind(kind)!;
    const required = k.fields.filter((f) => f.required);
    expect(required.length).toBeGreaterThan(0);
    const fields = { ...k.example };
    delete fields[required[0].name];
    expect(wizardCheckProblem({ kind, fields })).toMatch(new RegExp(`a ${kind} check needs .*\\(${required[0].name}\\)`));
  });

  it('answers checks.kinds in the contract shape, with every field labelled', () => {
    const info = checkKindsInfo();
    expect(info.map((k) => k.kind)).toEqual([...CHECK_KINDS]);
    for (const k of info) {
      expect(CheckKindInfo.parse(k)).toEqual(k);
      expect(k.label).toBeTruthy();
      for (const f of k.fields) expect(f.label, `${k.kind}.${f.name}`).toBeTruthy();
    }
    expect(info.find((k) => k.kind === 'http')!.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['port', 'number', true],
      ['path', 'text', false],
      ['status', 'number', false],
      ['contains', 'text', false],
    ]);
  });

  it('reports a check with no kind, two kinds, or a kind rule broken at its file:line', () => {
    const base = 'name: k\nversion: 1.0.0\nservices: [{ name: web, run: httpd }]\nchecks:\n';
    expect(load(`${base}  - name: nothing\n`).problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      `5: a check needs one of ${CHECK_KINDS.join(', ')}; found only name`,
    ]);
    expect(load(`${base}  - { port: 80, mount: /data }\n`).problems.map((p) => p.message)).toEqual(['a check has exactly one kind, found port and mount; split it into 2 checks']);
    expect(load(`${base}  - service: wbe\n`).problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      "5:14: check names service 'wbe', but no service has that name (did you mean 'web'?)",
    ]);
    expect(load(`${base}  - http: { port: 8080 }\n`).problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '5: http check on guest port 8080, but network.forward has no { guest: 8080 }; add it so the host can reach the port',
    ]);
  });

  it.each(allCheckKinds().map((k) => k.kind))('%s: probes through the target only, and reports a failure it sees', async (kind) => {
    const k = checkKind(kind)!;
    const check = load(applianceYaml(answers([{ kind, fields: k.example }]))).spec!.checks[0];
    const ran: string[] = [];
    const target = {
      run: async (cmd: string) => (ran.push(cmd), { stdout: '', stderr: 'no', exitCode: 1 }),
      hostPort: () => undefined,
      serviceRun: () => undefined,
      attempt: 0,
    };
    const r = await k.probe(check, target);
    expect(r.ok).toBe(false);
    expect(r.detail.length).toBeGreaterThan(5);
    expect(ran.length).toBe(k.retry === 'guest' ? 1 : 0);
  });
});
