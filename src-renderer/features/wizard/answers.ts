import type { CheckKindInfo, CreateApplianceRequest, WizardCheck } from '../../../src-main/api/contract';

// The dialog checks what it can as the person types; the engine validates the whole spec again
// with the real loader before writing. These mirror src-main/spec/schema.ts (the renderer may
// import only the contract from src-main).
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const SIZE = /^[0-9]+(\.[0-9]+)?\s*([KMGTkmgt](i?[Bb])?|[Bb])$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export type Template = 'web' | 'empty' | 'debian';
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

export interface Answers {
  template: Template;
  dir: string;
  name: string;
  version: string;
  description: string;
  services: { name: string; run: string }[];
  /** Ports as typed: text, so a half-typed value can be shown with its error. */
  forwards: { guest: string; host: string }[];
  osSize: string;
  dataDisk: boolean;
  dataSize: string;
  memory: string;
  flavours: { name: string; data: string }[];
  outputs: string[];
  /** Keys of the suggested checks the person turned off (see suggestedChecks); all are on at first. */
  skipped: string[];
  /** Checks the person added in the check editor (kinds and fields come from the engine's checks.kinds). */
  checks: WizardCheck[];
  /** A Debian base (template debian): its release, packages, and state directories as typed (space-separated). */
  release: string;
  packages: string[];
  state: string;
}

export function templateAnswers(template: Template, dir: string): Answers {
  if (template === 'debian') {
    return {
      ...templateAnswers('web', dir),
      template,
      name: 'my-debian',
      description: 'nginx on a Debian base',
      services: [{ name: 'web', run: "nginx -g 'daemon off;'" }],
      osSize: '256M',
      flavours: [],
      outputs: ['raw', 'qcow2'],
      packages: ['nginx'],
    };
  }
  const web = template === 'web';
  return {
    template,
    dir,
    name: web ? 'my-web' : 'my-appliance',
    version: '1.0.0',
    description: web ? 'A small web appliance' : '',
    services: web ? [{ name: 'web', run: 'httpd -f -p 80 -h /srv/www' }] : [],
    forwards: web ? [{ guest: '80', host: '' }] : [],
    osSize: '64M',
    dataDisk: true,
    dataSize: '64M',
    memory: '256M',
    flavours: web ? [{ name: 'large', data: '1G' }] : [],
    outputs: web ? ['raw', 'qcow2', 'ova'] : ['raw'],
    skipped: [],
    checks: [],
    release: 'bookworm',
    packages: [],
    state: '',
  };
}

/** The state directories as typed: paths separated by spaces or commas. */
export function statePaths(a: Answers): string[] {
  return a.state.split(/[\s,]+/).filter(Boolean);
}

export type Errors = Record<string, string>;

function portError(text: string, required: boolean): string | null {
  if (!text.trim()) return required ? 'A port is required.' : null;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? null : 'A TCP port is a whole number from 1 to 65535.';
}

function sizeError(text: string): string | null {
  return SIZE.test(text.trim()) ? null : 'A size is a number and a unit, like 64M, 1G or 20G.';
}

/** Problems with the answers, keyed by field id (e.g. "name", "services.0.run"). */
export function validate(a: Answers): Errors {
  const e: Errors = {};
  const put = (k: string, m: string | null) => {
    if (m) e[k] = m;
  };
  if (!a.dir.trim()) e.dir = 'Choose the folder the appliance goes in.';
  if (!a.name) e.name = 'A name is required.';
  else if (!NAME.test(a.name)) e.name = 'Lower-case letters, digits and dashes, starting with a letter or digit (like my-web).';
  if (!SEMVER.test(a.version)) e.version = 'A semantic version: MAJOR.MINOR.PATCH, like 1.0.0 or 2.1.0-rc.1.';
  const seen = new Set<string>();
  a.services.forEach((s, i) => {
    if (!SERVICE.test(s.name)) e[`services.${i}.name`] = 'Letters, digits, dots, dashes and underscores.';
    else if (seen.has(s.name)) e[`services.${i}.name`] = `There is already a service named ${s.name}.`;
    seen.add(s.name);
    if (!s.run.trim()) e[`services.${i}.run`] = 'The command line that starts the service.';
  });
  const guests = new Set<string>();
  a.forwards.forEach((f, i) => {
    put(`forwards.${i}.guest`, portError(f.guest, true));
    if (!e[`forwards.${i}.guest`] && guests.has(f.guest.trim())) e[`forwards.${i}.guest`] = `Port ${f.guest} is forwarded twice.`;
    guests.add(f.guest.trim());
    put(`forwards.${i}.host`, portError(f.host, false));
  });
  put('osSize', sizeError(a.osSize));
  if (a.dataDisk) put('dataSize', sizeError(a.dataSize));
  put('memory', sizeError(a.memory));
  const flavourNames = new Set<string>();
  a.flavours.forEach((f, i) => {
    if (!SERVICE.test(f.name)) e[`flavours.${i}.name`] = 'Letters, digits, dots, dashes and underscores.';
    else if (flavourNames.has(f.name)) e[`flavours.${i}.name`] = `There is already a flavour named ${f.name}.`;
    flavourNames.add(f.name);
    put(`flavours.${i}.data`, sizeError(f.data));
  });
  if (a.flavours.length && !a.dataDisk) e.flavours = 'Flavours size the data disk: add a data disk or remove the flavours.';
  if (a.outputs.length === 0) e.outputs = 'Pick at least one image format.';
  if (a.template === 'debian') {
    const bad = a.packages.find((p) => !PACKAGE.test(p));
    if (bad) e.packages = `"${bad}" is not a Debian package name (lower-case letters, digits, '+', '-' and '.').`;
    const paths = statePaths(a);
    const rel = paths.find((p) => !p.startsWith('/'));
    if (rel) e.state = `"${rel}" is not an absolute guest path, like /var/lib/postgresql.`;
    else if (paths.length && !a.dataDisk) e.state = 'State directories live on the data disk: add a data disk (Disks step) or remove them.';
  }
  return e;
}

/** The checks that make sense for the answers so far, each with a stable key and a label. */
export function suggestedChecks(a: Answers): { key: string; label: string; check: WizardCheck }[] {
  const out: { key: string; label: string; check: WizardCheck }[] = [];
  const add = (key: string, label: string, kind: string, fields: WizardCheck['fields']) => out.push({ key, label, check: { kind, fields } });
  for (const s of a.services) if (s.name) add(`service:${s.name}`, `Service ${s.name} is running`, 'service', { service: s.name });
  for (const f of a.forwards) {
    const port = Number(f.guest);
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    add(`port:${port}`, `Something listens on port ${port}`, 'port', { port });
    if (a.template !== 'empty') add(`http:${port}`, `http://…:${port}/ answers 200 with “hello”`, 'http', { port, path: '/', status: 200, contains: 'hello' });
  }
  if (a.dataDisk) add('mount:/data', 'The data disk is mounted at /data', 'mount', { path: '/data' });
  if (a.template === 'debian') add('file:index', '/var/www/html/index.html is in the image', 'file', { path: '/var/www/html/index.html', contains: 'hello' });
  else if (a.template === 'web') add('file:index', '/srv/www/index.html is in the image', 'file', { path: '/srv/www/index.html', contains: 'hello' });
  else add('file:motd', '/etc/motd is in the image', 'file', { path: '/etc/motd' });
  return out;
}

/** Problems with a check being written in the editor, by field name: required fields and numbers. */
export function checkFieldErrors(kind: CheckKindInfo, values: Record<string, string>): Errors {
  const e: Errors = {};
  for (const f of kind.fields) {
    const v = (values[f.name] ?? '').trim();
    if (!v) {
      if (f.required) e[f.name] = `${f.label} is required.`;
    } else if (f.type === 'number' && !Number.isFinite(Number(v))) e[f.name] = `${f.label} is a number.`;
  }
  return e;
}

/** The editor's text inputs as a WizardCheck: blanks left out, number fields as numbers. */
export function checkFromEditor(kind: CheckKindInfo, values: Record<string, string>): WizardCheck {
  const fields: WizardCheck['fields'] = {};
  for (const f of kind.fields) {
    const v = (values[f.name] ?? '').trim();
    if (v) fields[f.name] = f.type === 'number' ? Number(v) : v;
  }
  return { kind: kind.kind, fields };
}

export function toRequest(a: Answers): CreateApplianceRequest {
  const skipped = new Set(a.skipped);
  return {
    dir: a.dir.trim(),
    name: a.name,
    version: a.version,
    ...(a.description.trim() ? { description: a.description.trim() } : {}),
    template: a.template,
    services: a.services.map((s) => ({ name: s.name, run: s.run.trim() })),
    forwards: a.forwards.map((f) => ({ guest: Number(f.guest), ...(f.host.trim() ? { host: Number(f.host) } : {}) })),
    osSize: a.osSize.trim(),
    dataSize: a.dataDisk ? a.dataSize.trim() : null,
    memory: a.memory.trim(),
    flavours: a.dataDisk ? a.flavours.map((f) => ({ name: f.name, data: f.data.trim() })) : [],
    outputs: a.outputs,
    ...(a.template === 'debian' ? { debian: { release: a.release, packages: a.packages, state: statePaths(a) } } : {}),
    checks: [
      ...suggestedChecks(a)
        .filter((c) => !skipped.has(c.key))
        .map((c) => c.check),
      ...a.checks,
    ],
  };
}
