// file: a guest file exists, and contains a text and/or has a mode.
import { z } from 'zod';
import { describeValue } from '../../spec/describe';
import { expected, guestPath, strict, text, why } from '../../spec/zod-rules';
import { shQuote } from '../../vm/control-frame';
import { defineKind, opt, textField } from './kind';

export type FileCheck = { kind: 'file'; path: string; contains?: string; mode?: string };

export function fileCommand(check: FileCheck): string {
  const p = shQuote(check.path);
  const grep = check.contains !== undefined ? `; if grep -qF -e ${shQuote(check.contains)} ${p}; then echo contains; else echo lacks; fi` : '';
  return `[ -e ${p} ] || { echo missing; exit 3; }; stat -c '%a %F' ${p}${grep}`;
}

/** Compares modes as numbers, so "0644", "644" and "0o644" agree. */
export function sameMode(want: string, actualOctal: string): boolean {
  const w = parseInt(want.replace(/^0o/i, ''), 8);
  return Number.isInteger(w) && w === parseInt(actualOctal, 8);
}

export function readFile(check: FileCheck, r: { stdout: string; stderr: string; exitCode: number }) {
  if (r.exitCode === 3) return { ok: false, detail: `${check.path} does not exist` };
  if (r.exitCode !== 0) return { ok: false, detail: `could not inspect ${check.path}: ${(r.stderr || r.stdout).trim()}` };
  const [statLine = '', grepLine = ''] = r.stdout.trim().split('\n');
  const [mode = '', ...kind] = statLine.split(' ');
  const facts = [`${check.path} exists (${kind.join(' ')}, mode ${mode.padStart(4, '0')})`];
  if (check.mode !== undefined && !sameMode(check.mode, mode)) {
    return { ok: false, detail: `${facts[0]}, but the mode should be ${check.mode}` };
  }
  if (check.contains !== undefined) {
    if (grepLine.trim() !== 'contains') return { ok: false, detail: `${facts[0]} but does not contain ${JSON.stringify(check.contains)}` };
    facts.push(`contains ${JSON.stringify(check.contains)}`);
  }
  return { ok: true, detail: facts.join(', ') };
}

const File = z.union(
  [
    guestPath('a guest file path'),
    strict('a mapping { path, contains, mode }', {
      path: guestPath('a guest file path'),
      contains: text('text the file must contain').optional(),
      mode: z
        .union([z.string(), z.int()], expected("an octal mode like '0644'"))
        .refine((v) => /^0?[0-7]{3,4}$/.test(String(v)), why((v) => `bad mode ${describeValue(v)}: expected an octal mode like '0644'`))
        .optional(),
    }),
  ],
  expected('a guest file path, or a mapping { path, contains, mode }'),
);

export const file = defineKind({
  kind: 'file',
  schema: File.meta({ title: 'A guest file exists (and contains text / has a mode)' }),
  normalize: (raw: z.infer<typeof File>) => {
    const f = typeof raw === 'string' ? { path: raw } : raw;
    const mode = f.mode === undefined ? undefined : String(f.mode).padStart(4, '0');
    return { name: `file ${f.path}`, check: { kind: 'file', path: f.path, ...opt('contains', f.contains), ...opt('mode', mode) } as FileCheck };
  },
  probe: async (check, t) => readFile(check, await t.run(fileCommand(check))),
  inGuest: (c) => {
    const p = shQuote(c.path);
    const lines = [`[ -e ${p} ] || { echo ${shQuote(`${c.path} does not exist`)}; exit 1; }`];
    if (c.mode !== undefined) {
      const want = parseInt(c.mode, 8).toString(8);
      lines.push(`m=$(stat -c %a ${p}); [ "$m" = ${want} ] || { echo ${shQuote(`${c.path} has mode `)}"$m, expected ${c.mode}"; exit 1; }`);
    }
    if (c.contains !== undefined) lines.push(`grep -qF -e ${shQuote(c.contains)} ${p} || { echo ${shQuote(`${c.path} does not contain ${JSON.stringify(c.contains)}`)}; exit 1; }`);
    return lines.join('\n');
  },
  retry: 'guest',
  label: 'A file is in the image',
  fields: [
    { name: 'path', label: 'Guest file path', type: 'text', required: true },
    { name: 'contains', label: 'Contains', type: 'text', required: false },
    { name: 'mode', label: 'Mode (octal)', type: 'text', required: false },
  ],
  example: { path: '/etc/motd', contains: 'hello', mode: '0644' },
  wizardValue: (f) => {
    const p = textField(f, 'path') ?? '';
    const extra = { ...opt('contains', textField(f, 'contains')), ...opt('mode', textField(f, 'mode')) };
    return Object.keys(extra).length ? { path: p, ...extra } : p;
  },
});
