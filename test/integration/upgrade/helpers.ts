import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src-main/cli/main';

export const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

/**
 * A copy of the sample appliance at `version`, made by plain file copies and text edits (not by
 * Yoke): raw output only and no flavours, so each build stays small and quick.
 */
export function makeAppliance(root: string, folder: string, version: string, edit?: (yaml: string, dir: string) => string): string {
  const dir = path.join(root, folder);
  fs.cpSync(SAMPLE, dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  let yaml = fs.readFileSync(path.join(dir, 'appliance.yaml'), 'utf8');
  yaml = yaml.replace(/^version: .*$/m, `version: ${version}`);
  yaml = yaml.replace(/^flavours:\n(  .*\n)+/m, '');
  yaml = yaml.replace(/^outputs: .*$/m, 'outputs: [raw]');
  if (edit) yaml = edit(yaml, dir);
  fs.writeFileSync(path.join(dir, 'appliance.yaml'), yaml);
  return dir;
}

export async function cli(home: string, ...argv: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
  let out = '';
  let err = '';
  const code = await runCli([argv[0], '--home', home, ...argv.slice(1)], { out: (t) => void (out += t), err: (t) => void (err += t), tty: false });
  let json: any;
  try {
    json = argv.includes('--json') ? JSON.parse(out) : undefined;
  } catch {
    json = undefined;
  }
  return { code, out, err, json };
}

export async function buildId(home: string, dir: string): Promise<number> {
  const r = await cli(home, 'build', dir, '--json');
  if (r.code !== 0) throw new Error(`build of ${dir} failed: ${r.err}`);
  return r.json.build.id as number;
}
