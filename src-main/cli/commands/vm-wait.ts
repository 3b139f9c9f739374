import type { Engine } from '../../api/engine';

/**
 * Resolves when the VM is no longer running (vms.changed, then checked with vms.list). With
 * stopOnSignal, Ctrl-C / SIGTERM power it off first (a second Ctrl-C pulls the plug).
 */
export async function untilVmGone(engine: Engine, id: string, o: { stopOnSignal?: boolean } = {}): Promise<void> {
  let presses = 0;
  const onSignal = () => {
    presses++;
    void engine.call('vms.stop', { id, force: presses > 1 });
  };
  if (o.stopOnSignal) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    await new Promise<void>((resolve) => {
      const check = async () => {
        const r = await engine.call('vms.list', {});
        if (!r.ok || !r.value.some((v) => v.id === id)) {
          off();
          resolve();
        }
      };
      const off = engine.on((event) => {
        if (event === 'vms.changed') void check();
      });
      void check();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
