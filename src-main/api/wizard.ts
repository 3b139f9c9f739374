// The "New appliance" wizard's engine side: turns the dialog's answers into a commented
// appliance.yaml plus an overlay folder, validated with the real loader before anything is
// written where the user asked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ApplianceSummary, CreateApplianceRequest, Problem, WizardCheck } from './contract';
import { EngineError } from './errors';
import { checkKind, wizardCheckProblem } from '../checks/kinds';
import { formatProblem, loadSpec, summarizeSpec } from '../spec/load';
import { SPEC_FILE } from '../spec/read';

/** A YAML scalar as it must be written to read back as the same string or number. */
function scalar(v: string | number): string {
  return stringify(v, { lineWidth: 0 }).trim();
}

/** Comments line up at one column so the file reads as a table. */
function withComment(line: string, comment: string): string {
  return `${line.padEnd(34)} # ${comment}`;
}

/** A check's line: its kind's key and the value the kind makes of the wizard's fields (checks/kinds/). */
function checkLine(c: WizardCheck): string {
  const v = checkKind(c.kind)!.wizardValue(c.fields);
  const flow = typeof v === 'object' ? `{ ${Object.entries(v).map(([k, x]) => `${k}: ${scalar(x)}`).join(', ')} }` : scalar(v);
  return `  - ${c.kind}: ${flow}`;
}

/** Checks the wizard's checks against the kind registry before any YAML is written. */
function assertChecks(checks: WizardCheck[]): void {
  checks.forEach((c, i) => {
    const problem = wizardCheckProblem(c);
    if (problem) throw new EngineError('invalid-request', `Check ${i + 1}: ${problem}.`);
  });
}

/** The text of appliance.yaml for the wizard's answers. Pure: the same answers give the same file. */
export function applianceYaml(r: CreateApplianceRequest): string {
  assertChecks(r.checks);
  const out: string[] = [
    `# ${SPEC_FILE} for ${r.name}, written by Yoke's "New appliance" wizard.`,
    '# Edit freely: Yoke re-validates this file every time it is saved.',
    '',
    withComment(`name: ${scalar(r.name)}`, 'lower-case letters, digits, dashes; one build history per name'),
    withComment(`version: ${scalar(r.version)}`, 'semver; raise it for every release'),
  ];
  if (r.description?.trim()) out.push(`description: ${scalar(r.description.trim())}`);
  out.push(
    '',
    'base:',
    withComment('  kernel: auto', "finds the host's kernel, or a path inside this folder"),
    withComment('  userland: busybox', 'static busybox: /bin/sh and the usual tools'),
    '',
    'rootfs:',
    withComment('  overlay: rootfs', "copied over the base: your application's files"),
    withComment('  exclude: ["**/.git"]', 'globs left out of the image'),
    '',
  );
  if (r.services.length === 0) {
    out.push(withComment('services: []', 'none yet; each is { name, run: a shell command line }'));
  } else {
    out.push('services:                          # started in order by init, restarted if they exit');
    for (const s of r.services) out.push(`  - name: ${scalar(s.name)}`, `    run: ${scalar(s.run)}`);
  }
  out.push(
    '',
    'disks:',
    withComment(`  os: { size: ${scalar(r.osSize)} }`, 'kernel + base + rootfs; replaced whole on upgrade'),
    r.dataSize === null
      ? withComment('  data: none', 'no data disk; give it { size: 1G } to keep data across upgrades')
      : withComment(`  data: { size: ${scalar(r.dataSize)}, label: data, mount: /data }`, 'ext4, kept across upgrades'),
  );
  if (r.flavours.length) {
    out.push('', 'flavours:                          # same OS disk, other data disk sizes');
    for (const f of r.flavours) out.push(`  ${scalar(f.name)}: { data: ${scalar(f.data)} }`);
  }
  out.push('', 'vm:', withComment(`  memory: ${scalar(r.memory ?? '256M')}`, 'guest RAM for tests and boots'), '  cpus: 1', '');
  if (r.forwards.length === 0) {
    out.push(withComment('network: { forward: [] }', 'no guest ports reachable from the host'));
  } else {
    out.push('network:', '  forward:                         # guest TCP ports reachable from the host');
    for (const f of r.forwards) out.push(f.host ? `    - { guest: ${f.guest}, host: ${f.host} }` : withComment(`    - { guest: ${f.guest} }`, 'host port picked free'));
  }
  out.push('', withComment(`outputs: [${r.outputs.join(', ')}]`, 'image formats to export'), '');
  if (r.checks.length === 0) {
    out.push(withComment('checks: []', 'add checks: a build is only as good as what is checked'));
  } else {
    out.push('checks:                            # run against every freshly booted test VM');
    for (const c of r.checks) out.push(checkLine(c));
  }
  return out.join('\n') + '\n';
}

/** Files of the overlay, relative to the appliance folder. */
export function overlayFiles(r: CreateApplianceRequest): Record<string, string> {
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
  const yaml = applianceYaml(r);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-new-'));
  try {
    writeTree(scratch, yaml, overlayFiles(r), false);
    return { yaml, problems: loadSpec(scratch).problems };
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
