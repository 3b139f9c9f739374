import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';

/** The desktop's "open this URL" program for each platform. */
export function openBrowserCommand(url: string, platform: NodeJS.Platform = process.platform): { file: string; args: string[] } {
  if (platform === 'darwin') return { file: 'open', args: [url] };
  // `start` is a cmd builtin; the empty string is the window title it would otherwise take from the URL.
  if (platform === 'win32') return { file: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { file: 'xdg-open', args: [url] };
}

/** Opens the URL without waiting on the browser; failure is reported, not thrown. */
export async function openBrowser(url: string): Promise<string | null> {
  const { file, args } = openBrowserCommand(url);
  try {
    const child = execa(file, args, { detached: true, stdio: 'ignore', reject: false });
    child.unref();
    const r = await Promise.race([child, new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))]);
    if (r && (r.failed || r.exitCode !== 0)) return `${file} ${args.join(' ')} failed: ${r.stderr || r.shortMessage || `exit ${r.exitCode}`}`;
    return null;
  } catch (e) {
    return `${file} ${args.join(' ')} failed: ${(e as Error).message}`;
  }
}

/**
 * A page that sends the browser on to `url`, in a folder only this user can read. `--open` opens
 * this file instead of the URL: a program's argv is visible to every user in `ps`, and the
 * browser's argv would otherwise carry the sign-in token. The page is removed after `keepMs`.
 */
export function redirectPage(url: string, keepMs = 120_000): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-open-')); // mode 0700
  const file = path.join(dir, 'open-yoke.html');
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  fs.writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${attr}"><title>Opening Yoke…</title><a href="${attr}">Open Yoke</a>\n`,
    { mode: 0o600 },
  );
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  setTimeout(remove, keepMs).unref();
  return { file, remove };
}

/** Opens `url` through a private redirect page, so the token never appears in a process's argv. */
export async function openBrowserPrivately(url: string): Promise<string | null> {
  const page = redirectPage(url);
  const problem = await openBrowser(pathToFileURL(page.file).href);
  if (problem) page.remove();
  return problem;
}
