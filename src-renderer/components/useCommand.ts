import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandName, Req, Res, YokeError } from '../../src-main/api/contract';
import { invoke } from '../api/client';

export type CommandState<T> =
  | { status: 'loading'; value: T | null }
  | { status: 'ok'; value: T }
  | { status: 'error'; value: T | null; error: YokeError };

/**
 * Runs a command when the screen shows and on reload(); keeps the last value while reloading
 * so tables do not flash empty. reload is stable across renders (safe in effect deps).
 */
export function useCommand<C extends CommandName>(command: C, request: Req<C>): CommandState<Res<C>> & { reload(next?: Req<C>): void } {
  const [state, setState] = useState<CommandState<Res<C>>>({ status: 'loading', value: null });
  const key = JSON.stringify(request);
  const generation = useRef(0);

  const run = useCallback(
    (req: Req<C>) => {
      const mine = ++generation.current;
      setState((s) => ({ status: 'loading', value: s.value }));
      void invoke(command, req).then((r) => {
        // A newer run (or an unmount) wins over an older answer arriving late.
        if (mine !== generation.current) return;
        setState((s) => (r.ok ? { status: 'ok', value: r.value } : { status: 'error', value: s.value, error: r.error }));
      });
    },
    [command],
  );

  useEffect(() => {
    run(JSON.parse(key) as Req<C>);
    return () => void generation.current++;
  }, [run, key]);

  const latest = useRef({ run, key });
  latest.current = { run, key };
  const reload = useCallback((next?: Req<C>) => latest.current.run(next ?? (JSON.parse(latest.current.key) as Req<C>)), []);
  return { ...state, reload };
}
