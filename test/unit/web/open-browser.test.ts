import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openBrowserCommand, redirectPage } from '../../../src-main/tools/open-browser';

describe('openBrowserCommand', () => {
  const url = 'http://127.0.0.1:7420/?token=abc&x=1';
  it('uses the desktop opener of each platform, with the URL as one argument', () => {
    expect(openBrowserCommand(url, 'linux')).toEqual({ file: 'xdg-open', args: [url] });
    expect(openBrowserCommand(url, 'darwin')).toEqual({ file: 'open', args: [url] });
    expect(openBrowserCommand(url, 'win32')).toEqual({ file: 'cmd', args: ['/c', 'start', '""', 'http://127.0.0.1:7420/?token=abc^&x=1'] });
  });
});

// Issue 15 item 8: `yoke serve --open` put the token in the browser's argv (visible in `ps`).
describe('redirectPage (what --open hands the browser)', () => {
  it('is a private file whose path, the only argv, carries no token, and which sends the browser on', async () => {
    const { default: fs } = await import('node:fs');
    const { pathToFileURL } = await import('node:url');
    const url = 'http://127.0.0.1:7420/?token=SECRET-TOKEN';
    const page = redirectPage(url, 60_000);
    const argv = openBrowserCommand(pathToFileURL(page.file).href, 'linux').args;
    expect(argv.join(' ')).not.toContain('SECRET-TOKEN');
    expect(fs.statSync(page.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(page.file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(page.file, 'utf8')).toContain('<meta http-equiv="refresh" content="0;url=http://127.0.0.1:7420/?token=SECRET-TOKEN">');
    page.remove();
    expect(fs.existsSync(page.file)).toBe(false);
  });
});
