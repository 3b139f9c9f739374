import { describe, expect, it, vi } from 'vitest';

// No Electron binary here: record what the preload exposes and what it sends over IPC.
const exposed = new Map<string, unknown>();
const invoked: Array<[string, unknown]> = [];
const listening = new Map<string, Set<(...args: unknown[]) => void>>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, request: unknown) => (invoked.push([channel, request]), { ok: true, value: 'from-main' }),
    on: (channel: string, fn: (...args: unknown[]) => void) => {
      if (!listening.has(channel)) listening.set(channel, new Set());
      listening.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (...args: unknown[]) => void) => listening.get(channel)?.delete(fn),
  },
}));

await import('../../../src-preload/index');
const { commandNames } = await import('../../../src-main/api/contract');
type Client = import('../../../src-main/api/contract').YokeClient;

describe('preload', () => {
  const yoke = exposed.get('yoke') as Client;

  it('exposes one object, window.yoke, with invoke and on only', () => {
    expect([...exposed.keys()]).toEqual(['yoke']);
    expect(Object.keys(yoke).sort()).toEqual(['invoke', 'on']);
  });

  it('sends contract commands on their own channel', async () => {
    for (const c of commandNames) await yoke.invoke(c, {} as never);
    expect(invoked.map(([ch]) => ch)).toEqual(commandNames.map((c) => `yoke:call:${c}`));
  });

  it('refuses names outside the contract before anything reaches IPC', async () => {
    invoked.length = 0;
    const r = await yoke.invoke('shell.exec' as never, {} as never);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(invoked).toEqual([]);
    expect(() => yoke.on('window.close' as never, () => {})).toThrow(/unknown event/);
  });

  it('delivers event payloads without the IPC event, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = yoke.on('job.progress', (p) => got.push(p));
    const payload = { jobId: 'j', stage: 'rootfs', fraction: 0.5 };
    for (const fn of listening.get('yoke:event:job.progress')!) fn({ sender: 'secret' }, payload);
    expect(got).toEqual([payload]);
    off();
    expect(listening.get('yoke:event:job.progress')!.size).toBe(0);
  });
});
