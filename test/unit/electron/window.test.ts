import { describe, expect, it, vi } from 'vitest';

// Electron cannot run here (no binary); record what the shell asks of it instead.
const opened: string[] = [];
vi.mock('electron', () => ({
  BrowserWindow: class {},
  shell: { openExternal: async (url: string) => void opened.push(url) },
}));

const { hardenContents, hardenSession } = await import('../../../src-main/electron/window');

const origin = { indexFile: '/app/out/renderer/index.html' };

function fakeContents() {
  const handlers = new Map<string, (event: { preventDefault(): void; defaultPrevented?: boolean }, url?: string) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    handlers,
    open: (url: string) => openHandler!({ url }),
    on: (name: string, fn: (event: never, url?: string) => void) => handlers.set(name, fn as never),
    setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
  };
}

function fire(contents: ReturnType<typeof fakeContents>, name: string, url?: string): boolean {
  let prevented = false;
  contents.handlers.get(name)!({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('hardenContents', () => {
  it('stops navigation away from the app page', () => {
    const c = fakeContents();
    hardenContents(c as never, origin);
    expect(fire(c, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(fire(c, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire(c, 'will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(fire(c, 'will-navigate', 'file:///app/out/renderer/index.html')).toBe(true);
    expect(fire(c, 'will-navigate', 'app://yoke/index.html')).toBe(false);
    expect(fire(c, 'will-attach-webview')).toBe(true);
  });

  it('never opens a window; https links go to the system browser, others nowhere', async () => {
    const c = fakeContents();
    hardenContents(c as never, origin);
    expect(c.open('https://www.debian.org/')).toEqual({ action: 'deny' });
    expect(c.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(c.open('http://example.com/')).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(opened).toEqual(['https://www.debian.org/']);
  });
});

describe('hardenSession', () => {
  it('installs handlers that refuse every permission', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    hardenSession({ setPermissionRequestHandler: (h: typeof request) => (request = h), setPermissionCheckHandler: (h: typeof check) => (check = h) } as never);
    let granted: boolean | null = null;
    request!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(check!()).toBe(false);
  });
});
