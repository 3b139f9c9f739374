// The "New appliance" wizard's engine side: turns the dialog's answers into a commented
// appliance.yaml plus an overlay folder, validated with the real loader before anything is
// written where the user asked.
//
// The answers are turned into plain data first and the YAML library's document API writes
// that data: no answer is ever pasted into YAML text, so a quote, a newline or a ']' in any
// field stays inside its own value (a hostile `outputs` entry once wrote a `hooks:` key).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Document, isCollection, isScalar, parse, type Node, type Pair, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { CreateApplianceRequest, type ApplianceSummary, type Problem, type WizardCheck } from './contract';
import { EngineError } from './errors';
import { checkKind, wizardCheckProblem } from '../checks/kinds';
import { formatProblem, loadSpec, summarizeSpec } from '../spec/load';
import { SPEC_FILE } from '../spec/read';

type Data = Record<string, unknown>;

/** A check as data: its kind's key and the value the kind makes of the wizard's fields (checks/kinds/). */
function checkData(c: WizardCheck): Data {
  return { [c.kind]: checkKind(c.kind)!.wizardValue(c.fields) };
}

/** Checks the wizard's checks against the kind registry before any YAML is written. */
function assertChecks(checks: WizardCheck[]): void {
  checks.forEach((c, i) => {
    const problem = wizardCheckProblem(c);
    if (problem) throw new EngineError('invalid-request', `Check ${i + 1}: ${problem}.`);
  });
}

/** The spec the answers describe, as data (what appliance.yaml must parse back to). */
export function applianceData(r: CreateApplianceRequest): Data {
  assertChecks(r.checks);
  const description = r.description?.trim();
  return {
    name: r.name,
    version: r.version,
    ...(description ? { description } : {}),
    base: r.template === 'debian' ? debianBase(r) : { kernel: 'auto', userland: 'busybox' },
    rootfs: { overlay: 'rootfs', exclude: ['**/.git'] },
    services: r.services.map((s) => ({ name: s.name, run: s.run })),
    disks: { os: { size: r.osSize }, data: r.dataSize === null ? 'none' : { size: r.dataSize, label: 'data', mount: '/data' } },
    ...(r.flavours.length ? { flavours: Object.fromEntries(r.flavours.map((f) => [f.name, { data: f.data }])) } : {}),
    vm: { memory: r.memory ?? '256M', cpus: 1 },
    network: { forward: r.forwards.map((f) => (f.host ? { guest: f.guest, host: f.host } : { guest: f.guest })) },
    outputs: [...r.outputs],
    checks: r.checks.map(checkData),
  };
}

/** A Debian base as the spec says it; state directories only when given (they need the data disk). */
function debianBase(r: CreateApplianceRequest): Data {
  const d = r.debian ?? { release: 'bookworm', packages: [], state: [] };
  return { kernel: 'auto', userland: 'debian', release: d.release, packages: [...d.packages], ...(d.state.length ? { state: [...d.state] } : {}) };
}

/** One comment per key, written by the YAML library next to (or above) the value it explains. */
const NOTES: Array<[path: string[], comment: string]> = [
  [['name'], 'lower-case letters, digits, dashes; one build history per name'],
  [['version'], 'semver; raise it for every release'],
  [['base', 'kernel'], "finds the host's kernel, or a path inside this folder"],
  [['base', 'release'], 'the Debian release the packages come from'],
  [['base', 'packages'], 'installed with their dependencies; versions pinned in appliance.lock by the first build'],
  [['base', 'state'], 'package state kept on the data disk across upgrades'],
  [['rootfs', 'overlay'], "copied over the base: your application's files"],
  [['rootfs', 'exclude'], 'globs left out of the image'],
  [['disks', 'os'], 'kernel + base + rootfs; replaced whole on upgrade'],
  [['vm', 'memory'], 'guest RAM for tests and boots'],
  [['outputs'], 'image formats to export'],
];

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node> | undefined;
}

/** The text of appliance.yaml for the wizard's answers. Pure: the same answers give the same file. */
export function applianceYaml(r: CreateApplianceRequest): string {
  const data = applianceData(r);
  const doc = new Document(data);
  const top = doc.contents as YAMLMap;
  // The header is three lines so `name:` is on line 4 whatever the answers are.
  doc.commentBefore = ` ${SPEC_FILE} for ${oneLine(r.name)}, written by Yoke's "New appliance" wizard.\n Edit freely: Yoke re-validates this file every time it is saved.`;

  // Short mappings and lists read best on one line ({ size: 1G }, [raw, qcow2]).
  const flow = (p: unknown[]) => {
    const n = doc.getIn(p, true);
    if (isCollection(n)) n.flow = true;
  };
  for (const p of [['rootfs', 'exclude'], ['disks', 'os'], ['disks', 'data'], ['outputs'], ['base', 'packages'], ['base', 'state']]) flow(p);
  r.flavours.forEach((f) => flow(['flavours', f.name]));
  r.forwards.forEach((_f, i) => flow(['network', 'forward', i]));
  (data.checks as Data[]).forEach((c, i) => flow(['checks', i, Object.keys(c)[0]]));
  if (!r.forwards.length) flow(['network']);

  for (const [p, comment] of NOTES) {
    const n = doc.getIn(p, true) as Node | undefined;
    if (n) n.comment = ` ${comment}`;
  }
  const userland = doc.getIn(['base', 'userland'], true) as Node | undefined;
  if (userland) userland.comment = r.template === 'debian' ? ' real Debian packages on a read-only root (built with mmdebstrap)' : ' static busybox: /bin/sh and the usual tools';
  const dataDisk = doc.getIn(['disks', 'data'], true) as Node | undefined;
  if (dataDisk) dataDisk.comment = r.dataSize === null ? ' no data disk; give it { size: 1G } to keep data across upgrades' : ' ext4, kept across upgrades';
  // Comments above a section: a trailing comment on an empty or block collection lands on its own line.
  const above = (key: string, comment: string, gap = true) => {
    const p = pairOf(top, key);
    if (!p || !isScalar(p.key)) return;
    p.key.commentBefore = ` ${comment}`;
    p.key.spaceBefore = gap;
  };
  above('base', 'what the image starts from');
  above('rootfs', 'your files');
  above('services', r.services.length ? 'started in order by init, restarted if they exit' : 'none yet; each is { name, run: a shell command line }');
  above('disks', 'the OS disk and the data disk');
  above('flavours', 'same OS disk, other data disk sizes');
  above('vm', 'the virtual machine tests and boots use');
  above('network', r.forwards.length ? 'guest TCP ports reachable from the host (host port picked free when absent)' : 'no guest ports reachable from the host');
  above('outputs', 'what a build exports');
  above('checks', r.checks.length ? 'run against every freshly booted test VM' : 'add checks: a build is only as good as what is checked');
  return doc.toString({ lineWidth: 0 });
}

/** A name in a comment must not end the comment: newlines become spaces. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029\u0085]+/g, ' ');
}

/** Files of the overlay, relative to the appliance folder. */
export function overlayFiles(r: CreateApplianceRequest): Record<string, string> {
  if (r.template === 'debian') {
    // nginx's default site serves /var/www/html; an index.html there wins over Debian's own page.
    return {
      'rootfs/var/www/html/index.html': `<!doctype html>\n<title>${escapeHtml(r.name)}</title>\n<h1>hello from ${escapeHtml(r.name)} ${escapeHtml(r.version)}</h1>\n`,
    };
  }
  if (r.template === 'web') {
    return {
      'rootfs/srv/www/index.html': `<!doctype html>\n<title>${escapeHtml(r.name)}</title>\n<h1>hello from ${escapeHtml(r.name)} ${escapeHtml(r.version)}</h1>\n`,
    };
  }
  return { 'rootfs/etc/motd': `${r.name} ${r.version}\n` };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function writeTree(dir: string, yaml: string, files: Record<string, string>, keepExisting: boolean): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, text, { flag: keepExisting ? 'wx' : 'w' });
    } catch (e) {
      // The folder already had this file: the person's own content wins over the template's.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
  // 'wx': even if someone created appliance.yaml since we looked, it is never overwritten.
  fs.writeFileSync(path.join(dir, SPEC_FILE), yaml, { flag: keepExisting ? 'wx' : 'w' });
}

/** Validates the answers in a scratch folder, so a bad answer never leaves half a folder behind. */
export function validateAnswers(r: CreateApplianceRequest): { yaml: string; problems: Problem[] } {
  // Callers inside the engine get a checked request already; anything else is checked here.
  // (dir is only needed to write, so a preview may leave it empty.)
  const req = CreateApplianceRequest.extend({ dir: z.string() }).safeParse(r);
  if (!req.success) throw new EngineError('invalid-request', `The wizard's answers are malformed: ${req.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
  const yaml = applianceYaml(req.data);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-new-'));
  try {
    writeTree(scratch, yaml, overlayFiles(req.data), false);
    const problems = loadSpec(scratch).problems;
    // A valid file must mean exactly the answers: anything more would be text that became keys.
    if (!problems.length && !isDeepStrictEqual(parse(yaml), applianceData(req.data))) {
      throw new EngineError('failed', 'Internal error: the written appliance.yaml does not read back as the answers; nothing was written.');
    }
    return { yaml, problems };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
export function createAppliance(r: CreateApplianceRequest): ApplianceSummary {
  const dir = path.resolve(r.dir);
  const specFile = path.join(dir, SPEC_FILE);
  if (fs.existsSync(specFile)) {
    throw new EngineError('failed', `${specFile} already exists; Yoke never overwrites an appliance. Open it instead, or choose an empty folder.`);
  }
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new EngineError('invalid-request', `${dir} is a file, not a folder. Choose a folder for the new appliance.`);
  }
  const { yaml, problems } = validateAnswers(r);
  if (problems.length) {
    const lines = problems.map((p) => formatProblem({ ...p, file: specFile }));
    throw new EngineError('spec', `The answers do not make a valid appliance:\n${lines.join('\n')}`, { problems: problems.map((p) => ({ ...p, file: specFile })) });
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeTree(dir, yaml, overlayFiles(r), true);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new EngineError('failed', `${specFile} appeared while writing; it was left as it is.`);
    throw new EngineError('failed', `Cannot write the new appliance into ${dir}: ${err.message}. Check the folder's permissions.`);
  }
  return summarizeSpec(loadSpec(dir));
}
