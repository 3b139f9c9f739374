import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary is not installed here, so `electron` itself is replaced by a recorder
// of what the shell registers; the handlers it registers are the real ones.
const registered = new Map<string, (event: unknown, request: unknown) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, request: unknown) => unknown) => registered.set(channel, fn),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerIpc, forwardEvents, isTrustedSender } = await import('../../../src-main/electron/ipc');
const { commandNames } = await import('../../../src-main/api/contract');

const index = path.resolve('/app/out/renderer/index.html');
const origin = { indexFile: index };
const appFrame = { url: 'app://yoke/index.html', parent: null };

function fakeEngine() {
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    call: async (command: string, request: unknown) => {
      calls.push([command, request]);
      return { ok: true as const, value: { echoed: command } };
    },
  };
}

describe('registerIpc', () => {
  beforeEach(() => registered.clear());

  it('registers exactly one channel per contract command', () => {
    const dispose = registerIpc(fakeEngine() as never, origin);
    expect([...registered.keys()].sort()).toEqual(commandNames.map((c) => `yoke:call:${c}`).sort());
    dispose();
    expect(registered.size).toBe(0);
  });

  it('passes requests from the app window to the engine', async () => {
    const engine = fakeEngine();
    registerIpc(engine as never, origin);
    const r = await registered.get('yoke:call:app.info')!({ senderFrame: appFrame }, {});
    expect(r).toEqual({ ok: true, value: { echoed: 'app.info' } });
    expect(engine.calls).toEqual([['app.info', {}]]);
  });

  it('refuses frames that are not the app page, without reaching the engine', async () => {
    const engine = fakeEngine();
    registerIpc(engine as never, origin);
    const handler = registered.get('yoke:call:appliance.open')!;
    for (const senderFrame of [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: pathToFileURL('/tmp/evil.html').href, parent: null },
      { url: pathToFileURL(index).href, parent: null }, // the built page over file:// is no longer the app
      { url: appFrame.url, parent: { url: appFrame.url } },
    ]) {
      const r = (await handler({ senderFrame }, { dir: '/' })) as { ok: boolean; error?: { code: string } };
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('invalid-request');
    }
    expect(engine.calls).toEqual([]);
  });

  it('checks the sender frame by URL and top-level position', () => {
    expect(isTrustedSender({ senderFrame: appFrame } as never, origin)).toBe(true);
    expect(isTrustedSender({ senderFrame: null } as never, origin)).toBe(false);
  });
});

describe('forwardEvents', () => {
  it('sends engine events to the live window and stops after unsubscribe', () => {
    let listener: ((event: string, payload: unknown) => void) | null = null;
    const engine = { on: (l: typeof listener) => ((listener = l), () => (listener = null)) };
    const sent: Array<[string, unknown]> = [];
    const contents = { isDestroyed: () => false, send: (channel: string, payload: unknown) => sent.push([channel, payload]) };
    const off = forwardEvents(engine as never, () => contents as never);
    listener!('vms.changed', {});
    expect(sent).toEqual([['yoke:event:vms.changed', {}]]);
    off();
    expect(listener).toBeNull();
  });
});
