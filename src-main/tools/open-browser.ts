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
