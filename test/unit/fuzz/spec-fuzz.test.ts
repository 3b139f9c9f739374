// Issue 15, "not done until": thousands of random and hostile specs fed to the loader, to
// `yoke validate` (in-process, through runCli) and to the wizard (appliance.create's request
// shape), in seconds: no crash, no hang, no exit status but 0 or 2, and no wizard answer that
// ever becomes a key of its own. A small seeded PRNG makes every failure reproducible: the
// seed and case number are in each assertion message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { CreateApplianceRequest } from '../../../src-main/api/contract';
import { Engine } from '../../../src-main/api/engine';
import { EngineError } from '../../../src-main/api/errors';
import { applianceData, applianceYaml, validateAnswers } from '../../../src-main/api/wizard';
import { runCli } from '../../../src-main/cli/main';
import { loadSpec } from '../../../src-main/spec/load';

const SEED = Number(process.env.YOKE_FUZZ_SEED ?? 0x5eed);
const SAMPLE = fs.readFileSync(path.resolve(__dirname, '../../../resources/sample/hello-web/appliance.yaml'), 'utf8');

/** mulberry32: tiny, seeded, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '',
  ' ',
  '\n',
  'a\nhooks: {post-build: [appliance.yaml]}\n#',
  "raw]\nhooks: {post-build: [appliance.yaml]}\n#",
  '\x1b]0;pwned\x07\x1b[2J',
  '\u0000',
  '\u202e\u2066evil',
  '../../../../etc/passwd',
  '/etc/shadow',
  '//',
  '/data\n/etc',
  '*a*a*a*a*a*a*a*a*a*a*a*a*b',
  '**/a/**/a/**/a/**/a/**/b',
  '${HOME}',
  '$(reboot)',
  '`rm -rf /`',
  "'; DROP TABLE builds; --",
  '&anchor',
  '*alias',
  '!!js/function "function(){}"',
  '<<: *a',
  '%YAML 1.1',
  '---',
  '...',
  '{',
  '[[[[[[[[[[',
  '"unterminated',
  '\ud800',
  '🙂'.repeat(50),
  'x'.repeat(5000),
  '9'.repeat(400),
  '1e999',
  '-0',
  'NaN',
  '0x10',
  'null',
  '~',
  'true',
  'no',
  '1.0',
  '64Q',
  '99999999999T',
  '0M',
];

const KEYS = ['name', 'version', 'description', 'base', 'kernel', 'userland', 'rootfs', 'overlay', 'exclude', 'services', 'run', 'disks', 'os', 'data', 'size', 'label', 'mount', 'flavours', 'vm', 'memory', 'cpus', 'console', 'network', 'forward', 'guest', 'host', 'outbound', 'outputs', 'checks', 'service', 'port', 'http', 'path', 'status', 'contains', 'file', 'mode', 'command', 'stdout', 'exit-code', 'timeout', 'upgrade', 'seed', 'verify', 'hooks', 'post-build', '__proto__', 'constructor', '<<'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** A random value of any YAML shape, hostile strings and odd numbers included. */
function randomValue(r: () => number, depth = 0): unknown {
  const k = r();
  if (depth > 4 || k < 0.35) return pick(r, HOSTILE);
  if (k < 0.45) return pick(r, [0, -1, 1, 80, 65535, 65536, 1.5, 2 ** 53 + 1, -(2 ** 31), Number.MAX_SAFE_INTEGER, 1e300]);
  if (k < 0.5) return pick(r, [true, false, null]);
  if (k < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[r() < 0.7 ? pick(r, KEYS) : pick(r, HOSTILE)] = randomValue(r, depth + 1);
  return o;
}

/** One case: a mutated sample, random YAML data, or raw hostile text. */
function randomSpecText(r: () => number): string | Buffer {
  const kind = r();
  if (kind < 0.4) {
    const lines = SAMPLE.split('\n');
    for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
      const i = Math.floor(r() * lines.length);
      const op = r();
      if (op < 0.25) lines.splice(i, 1);
      else if (op < 0.5) lines.splice(i, 0, lines[Math.floor(r() * lines.length)]);
      else if (op < 0.75) lines[i] = (lines[i] ?? '').replace(/:\s.*$/, `: ${JSON.stringify(pick(r, HOSTILE))}`);
      else lines[i] = (lines[i] ?? '').slice(0, Math.floor(r() * 40)) + pick(r, HOSTILE);
    }
    return lines.join('\n');
  }
  if (kind < 0.8) {
    const base = parse(SAMPLE) as Record<string, unknown>;
    for (let n = 1 + Math.floor(r() * 3); n > 0; n--) base[pick(r, KEYS)] = randomValue(r);
    try {
      return stringify(base);
    } catch {
      return JSON.stringify(base) ?? '';
    }
  }
  if (kind < 0.9) {
    // Raw bytes, and the YAML bombs: deep nesting, alias expansion, huge keys.
    const bombs = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nname: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nversion: 1.0.0\n',
      `name: ${'['.repeat(2000)}`,
      `${'a'.repeat(100000)}: 1\n`,
      'name: a\nversion: 1.0.0\n'.repeat(5000),
      'name: !!binary aGVsbG8=\nversion: 1.0.0\n',
      'name: a\nversion: 1.0.0\n<<: {services: [{name: x, run: y}]}\n',
    ];
    return pick(r, bombs);
  }
  return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fuzz-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

describe(`fuzz (seed ${SEED})`, () => {
  it('the loader and `yoke validate` take thousands of hostile specs: no crash, no hang, exit 0 or 2', async () => {
    const r = prng(SEED);
    const dir = path.join(tmpRoot, 'app');
    fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
    const t0 = performance.now();
    let slowest = 0;
    let valid = 0;
    const N = 2000;
    for (let i = 0; i < N; i++) {
      const text = randomSpecText(r);
      fs.writeFileSync(path.join(dir, 'appliance.yaml'), text);
      const c0 = performance.now();
      let code: number;
      if (i % 5 === 0) {
        // In-process CLI: what a user sees, exit status included.
        let out = '';
        code = await runCli(['validate', dir, ...(i % 10 === 0 ? ['--json'] : [])], { out: (t) => (out += t), err: (t) => (out += t), tty: false });
        expect([0, 2], `seed ${SEED} case ${i}: exit ${code}\n${out.slice(0, 500)}`).toContain(code);
        expect(out, `seed ${SEED} case ${i}`).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
      } else {
        const res = loadSpec(dir);
        expect(Array.isArray(res.problems), `seed ${SEED} case ${i}`).toBe(true);
        for (const p of res.problems) expect(typeof p.message === 'string' && p.line >= 1 && p.col >= 1, `seed ${SEED} case ${i}: ${JSON.stringify(p)}`).toBe(true);
        code = res.spec && res.problems.length === 0 ? 0 : 2;
      }
      if (code === 0) valid++;
      slowest = Math.max(slowest, performance.now() - c0);
    }
    const took = performance.now() - t0;
    console.log(`[measure] fuzz: ${N} specs in ${took.toFixed(0)} ms (${valid} valid), slowest ${slowest.toFixed(0)} ms`);
    expect(slowest).toBeLessThan(2000);
    expect(took).toBeLessThan(60_000);
  }, 120_000);

  it('the wizard writes every well-typed answer as data (never as keys), and refuses every malformed request', async () => {
    const r = prng(SEED + 1);
    const s = () => (r() < 0.5 ? pick(r, HOSTILE) : pick(r, ['web', 'my-app', '1.0.0', '64M', '/data', 'httpd -f -p 80', 'raw', 'qcow2']));
    const home = path.join(tmpRoot, 'home');
    const engine = new Engine({ home, face: 'cli' });
    const TOP = ['name', 'version', 'description', 'base', 'rootfs', 'services', 'disks', 'flavours', 'vm', 'network', 'outputs', 'checks'];
    try {
      const t0 = performance.now();
      for (let i = 0; i < 300; i++) {
        const answers: CreateApplianceRequest = {
          dir: path.join(tmpRoot, `new-${i}`),
          name: s(),
          version: s(),
          ...(r() < 0.5 ? { description: s() } : {}),
          template: r() < 0.5 ? 'web' : 'empty',
          services: Array.from({ length: Math.floor(r() * 3) }, () => ({ name: s(), run: s() })),
          forwards: Array.from({ length: Math.floor(r() * 3) }, () => ({ guest: Math.floor(r() * 70000) - 10, ...(r() < 0.5 ? { host: Math.floor(r() * 70000) } : {}) })),
          osSize: s(),
          dataSize: r() < 0.3 ? null : s(),
          ...(r() < 0.5 ? { memory: s() } : {}),
          flavours: Array.from({ length: Math.floor(r() * 3) }, () => ({ name: s(), data: s() })),
          outputs: Array.from({ length: Math.floor(r() * 3) }, s),
          checks: Array.from({ length: Math.floor(r() * 4) }, (): CreateApplianceRequest['checks'][number] =>
            pick<CreateApplianceRequest['checks'][number]>(r, [
              { kind: 'service', fields: { service: s() } },
              { kind: 'port', fields: { port: Math.floor(r() * 70000) } },
              { kind: 'http', fields: { port: 80, path: s(), status: Math.floor(r() * 700), contains: s() } },
              { kind: 'mount', fields: { path: s() } },
              { kind: 'file', fields: { path: s(), contains: s() } },
              { kind: 'command', fields: { run: s(), stdout: s() } },
              { kind: pick(r, HOSTILE), fields: { [pick(r, HOSTILE)]: s() } },
            ]),
          ),
        };
        // The property that matters: the YAML text means exactly the answers, nothing more.
        let text: string;
        try {
          text = applianceYaml(answers);
        } catch (e) {
          // A check the kind registry refuses is refused before any YAML is written.
          expect(e, `seed ${SEED + 1} case ${i}: ${String(e)}`).toBeInstanceOf(EngineError);
          expect((e as EngineError).code).toBe('invalid-request');
          continue;
        }
        const doc = parse(text, { uniqueKeys: false }) as Record<string, unknown>;
        expect(Object.keys(doc).every((k) => TOP.includes(k)), `seed ${SEED + 1} case ${i}: ${Object.keys(doc)}`).toBe(true);
        if (new Set(answers.flavours.map((f) => f.name)).size === answers.flavours.length) {
          expect(doc, `seed ${SEED + 1} case ${i}`).toEqual(JSON.parse(JSON.stringify(applianceData(answers))));
        }
        if (i % 4 === 0) {
          const { problems } = validateAnswers(answers);
          expect(Array.isArray(problems)).toBe(true);
        }
        // And a malformed request (wrong types, extra keys) through the engine: a clean refusal.
        const garbage = randomValue(r, 1);
        const bad = typeof garbage === 'object' && garbage !== null && !Array.isArray(garbage) ? { ...answers, ...garbage, dir: answers.dir } : garbage;
        try {
          await engine.request('appliance.create', bad as never);
        } catch (e) {
          expect(e, `seed ${SEED + 1} case ${i}: ${String(e)}`).toBeInstanceOf(EngineError);
        }
      }
      console.log(`[measure] fuzz: 300 wizard answers + 300 malformed requests in ${(performance.now() - t0).toFixed(0)} ms`);
    } finally {
      await engine.close();
    }
  }, 120_000);
});

beforeAll(() => {
  expect(Number.isInteger(SEED)).toBe(true);
});
