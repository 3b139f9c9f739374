import type { VirtualMachine as Machine } from './hypervisor';

const PANIC = /Kernel panic - not syncing[^\n]*/;

/**
 * Waits until a test VM's control shell answers, failing fast (with the reason and the last
 * console lines) when the guest panics or qemu exits, instead of after every check's timeout.
 * Check timeouts start after this, so a slow boot is never a failed check.
 */
export async function waitUntilReady(vm: Machine, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: true; ms: number } | { ok: false; reason: string }> {
  const t0 = Date.now();
  let off = () => undefined as unknown;
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<string>((resolve) => {
    const check = () => {
      const m = PANIC.exec(vm.console.output);
      if (m) resolve(`the guest kernel panicked (${m[0].trim()})`);
    };
    off = vm.console.onData(check);
    check();
    void vm.exited.then((e) => resolve(`qemu exited during boot (${e.signal ?? `exit code ${e.code}`})`));
    timer = setTimeout(() => resolve(`the VM did not become ready within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
  });
  try {
    const r = await Promise.race([vm.waitForControl(timeoutMs + 1000).then(() => null), failed]);
    if (r === null) return { ok: true, ms: Date.now() - t0 };
    return { ok: false, reason: `${r}. Last console lines:\n${vm.console.tail(15).join('\n')}` };
  } catch (e) {
    return { ok: false, reason: `${(e as Error).message}. Last console lines:\n${vm.console.tail(15).join('\n')}` };
  } finally {
    off();
    clearTimeout(timer);
  }
}
