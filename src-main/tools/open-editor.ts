// Opens a file at a line in the user's editor (the desktop app's "appliance.yaml:12" links).
// Which editor, and how it is told the line, is a pure choice (editorCommand); launching it is a
// detached process that outlives Yoke, like the browser `yoke serve --open` starts, so it does
// not go through tools/run.ts (which waits for the program and ends it with the engine).
import path from 'node:path';
import { execa, parseCommandString } from 'execa';
import { findExecutable } from './find-executable';

/** How an editor is told "this file, at this line" (by program name, without a directory). */
const LINE_ARGS: Record<string, (file: string, line: number) => string[]> = {};
const gotoFlag = (file: string, line: number) => ['-g', `${file}:${line}`];
const colonSuffix = (file: string, line: number) => [`${file}:${line}`];
const plusLine = (file: string, line: number) => [`+${line}`, file];
for (const n of ['code', 'code-insiders', 'code-oss', 'codium', 'vscodium', 'cursor']) LINE_ARGS[n] = gotoFlag;
for (const n of ['subl', 'sublime_text', 'zed', 'hx', 'helix']) LINE_ARGS[n] = colonSuffix;
for (const n of ['vi', 'vim', 'nvim', 'gvim', 'nano', 'micro', 'emacs', 'emacsclient', 'gedit', 'kak', 'joe', 'jed', 'mg']) LINE_ARGS[n] = plusLine;
LINE_ARGS.kate = (file, line) => ['--line', String(line), file];
LINE_ARGS.kwrite = LINE_ARGS.kate;
LINE_ARGS.geany = (file, line) => [`--line=${line}`, file];

/** Editors that draw in a terminal: the desktop app has none, so they are started inside one. */
const TERMINAL_EDITORS = new Set(['vi', 'vim', 'nvim', 'nano', 'micro', 'hx', 'helix', 'kak', 'joe', 'jed', 'mg', 'ne']);

export interface EditorCommand {
  /** The program to start (absolute), and its arguments. */
  file: string;
  args: string[];
  /** For people: the editor's name ("code", "vim in a terminal"). */
  label: string;
  /** The editor was told the line (false: an editor Yoke does not know opens the file only). */
  atLine: boolean;
}

export interface EditorChoice {
  file: string;
  line: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Absolute path of a program on PATH, or null (default: findExecutable). */
  find?: (name: string) => string | null;
}

/** One editor command line ($VISUAL, $EDITOR or a program name) as an argv, or null when it cannot run here. */
function fromCommandLine(commandLine: string, c: Required<EditorChoice>): EditorCommand | null {
  const [program, ...extra] = parseCommandString(commandLine.trim());
  if (!program) return null;
  const exe = program.includes('/') ? program : c.find(program);
  if (!exe) return null;
  const name = path.basename(program).replace(/\.(exe|cmd)$/i, '');
  const lineArgs = LINE_ARGS[name];
  const target = lineArgs ? lineArgs(c.file, c.line) : [c.file];
  // emacsclient would wait until the buffer is closed: -n returns at once (with no Emacs server
  // running it fails at once, and the caller shows the file another way).
  const own = name === 'emacsclient' && !extra.includes('-n') ? ['-n', ...extra] : extra;
  const atLine = Boolean(lineArgs);
  // `emacs -nw` and a terminal editor need a terminal; Debian names the user's choice x-terminal-emulator.
  const inTerminal = TERMINAL_EDITORS.has(name) || (name === 'emacs' && (extra.includes('-nw') || extra.includes('-t')));
  if (!inTerminal) return { file: exe, args: [...own, ...target], label: name, atLine };
  if (c.platform !== 'linux') return null;
  const terminal = c.find('x-terminal-emulator');
  if (!terminal) return null;
  return { file: terminal, args: ['-e', exe, ...own, ...target], label: `${name} in a terminal`, atLine };
}

/**
 * The editor to open `file` at `line` with: $VISUAL, then $EDITOR (the user's own choice), then
 * VS Code (or VSCodium) when installed; null when none can run, and the caller shows the file
 * another way. A terminal editor runs in the desktop's terminal (x-terminal-emulator).
 */
export function editorCommand(choice: EditorChoice): EditorCommand | null {
  const c: Required<EditorChoice> = { env: process.env, platform: process.platform, find: (n) => findExecutable(n), ...choice };
  const candidates = [c.env.VISUAL, c.env.EDITOR, 'code', 'codium'].filter((x): x is string => Boolean(x && x.trim()));
  for (const commandLine of candidates) {
    const cmd = fromCommandLine(commandLine, c);
    if (cmd) return cmd;
  }
  return null;
}

/**
 * Starts the editor and does not wait for it. A program that fails at once (exit code other
 * than 0 within `settleMs`) is reported; one still running then is taken as opened.
 */
export async function launchEditor(cmd: EditorCommand, settleMs = 1500): Promise<string | null> {
  try {
    const child = execa(cmd.file, cmd.args, { detached: true, stdio: 'ignore', reject: false });
    child.unref();
    const r = await Promise.race([child, new Promise<null>((resolve) => setTimeout(() => resolve(null), settleMs).unref())]);
    if (r && (r.failed || r.exitCode !== 0)) return `${cmd.label} failed: ${r.shortMessage || `exit ${r.exitCode}`}`;
    return null;
  } catch (e) {
    return `${cmd.label} failed: ${(e as Error).message}`;
  }
}
