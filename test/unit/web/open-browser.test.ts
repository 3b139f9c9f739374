import { describe, expect, it } from 'vitest';
import { openBrowserCommand } from '../../../src-main/tools/open-browser';

describe('openBrowserCommand', () => {
  const url = 'http://127.0.0.1:7420/?token=abc&x=1';
  it('uses the desktop opener of each platform, with the URL as one argument', () => {
    expect(openBrowserCommand(url, 'linux')).toEqual({ file: 'xdg-open', args: [url] });
    expect(openBrowserCommand(url, 'darwin')).toEqual({ file: 'open', args: [url] });
    expect(openBrowserCommand(url, 'win32')).toEqual({ file: 'cmd', args: ['/c', 'start', '""', 'http://127.0.0.1:7420/?token=abc^&x=1'] });
  });
});
