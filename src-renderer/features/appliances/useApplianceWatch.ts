import { useEffect, useRef } from 'react';
import { invoke, subscribe } from '../../api/client';
import { useAppliance } from '../../stores/appliance';
import { useNavigation } from '../../stores/navigation';
import { useRun } from '../../stores/run';

/**
 * Keeps the open appliance's summary live: the engine watches its folder and answers every save
 * with a fresh validation. With build on save, each valid save starts build + test, cancelling
 * the run it replaces, which is the whole edit-build-check loop without touching the app.
 */
export function useApplianceWatch(buildOnSave: boolean): void {
  const dir = useAppliance((s) => s.summary?.dir ?? null);
  const buildOnSaveRef = useRef(buildOnSave);
  buildOnSaveRef.current = buildOnSave;

  useEffect(() => {
    if (!dir) return;
    let live = true;
    void invoke('appliance.watch', { dir }).then((r) => {
      if (live && r.ok && useAppliance.getState().summary?.dir === dir) useAppliance.setState({ summary: r.value });
    });
    const off = subscribe('appliance.changed', (p) => {
      if (!live || p.dir !== dir) return;
      useAppliance.setState({ summary: p.summary });
      if (!buildOnSaveRef.current || !p.summary.valid) return;
      void rebuild(dir, p.summary.name ?? dir);
    });
    return () => {
      live = false;
      off();
      void invoke('appliance.unwatch', { dir });
    };
  }, [dir]);
}

async function rebuild(dir: string, name: string): Promise<void> {
  const run = useRun.getState();
  if ((run.status === 'running' || run.status === 'starting') && run.jobId) await run.cancel();
  useNavigation.getState().showApplianceTab('build');
  // test.start with a folder builds first (reusing every unchanged stage), then boots and checks.
  await useRun.getState().start('test', dir, name);
}
