import { useCallback, useEffect, useRef, useState } from 'react';
import { invoke } from '../../api/client';
import type { CommandState } from '../../components/useCommand';
import type { Res } from '../../../src-main/api/contract';

// The first screenful arrives first (one small query), the whole history right after: with
// 10,000 builds the table paints in tens of milliseconds instead of waiting for every row.
const FIRST_PAGE = 200;
const ALL = 100_000;

type Builds = Res<'builds.list'>;

export function useBuildHistory(): CommandState<Builds> & { reload(): void } {
  const [state, setState] = useState<CommandState<Builds>>({ status: 'loading', value: null });
  const generation = useRef(0);

  const load = useCallback((firstPageFirst: boolean) => {
    const mine = ++generation.current;
    const current = () => mine === generation.current;
    const loadAll = () =>
      void invoke('builds.list', { limit: ALL }).then((r) => {
        if (current()) setState((s) => (r.ok ? { status: 'ok', value: r.value } : { status: 'error', value: s.value, error: r.error }));
      });
    setState((s) => ({ status: 'loading', value: s.value }));
    if (!firstPageFirst) return loadAll();
    void invoke('builds.list', { limit: FIRST_PAGE }).then((r) => {
      if (!current()) return;
      if (r.ok && r.value.length < FIRST_PAGE) return setState({ status: 'ok', value: r.value });
      if (r.ok) setState({ status: 'loading', value: r.value });
      loadAll();
    });
  }, []);

  useEffect(() => {
    load(true);
    return () => void generation.current++;
  }, [load]);

  const reload = useCallback(() => load(false), [load]);
  return { ...state, reload };
}
