import { create } from 'zustand';
import type { Res } from '../../src-main/api/contract';
import { invoke, onConnectionStatus, type ConnectionStatus } from '../api/client';
import { restoreContext } from './run-memory';

interface SessionState {
  connection: ConnectionStatus;
  info: Res<'app.info'> | null;
  infoError: string | null;
}

/** What the status bar and every screen may need: the connection and the engine's app.info. */
export const useSession = create<SessionState>(() => ({ connection: 'connecting', info: null, infoError: null }));

export function startSession(): void {
  let fetched = false;
  onConnectionStatus((connection) => {
    useSession.setState({ connection });
    if (connection === 'open' && !fetched) {
      fetched = true;
      void restoreContext();
      void invoke('app.info', {}).then((r) =>
        useSession.setState(r.ok ? { info: r.value, infoError: null } : { infoError: r.error.message }),
      );
    }
  });
}
