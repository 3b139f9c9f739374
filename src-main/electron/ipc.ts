import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { commandNames, type Result } from '../api/contract';
import type { Engine } from '../api/engine';
import { commandChannel, eventChannel } from './channels';
import { isAppUrl, type AppOrigin } from './security';

// The only file in the main process that touches ipcMain: every channel is a contract command,
// every handler checks who is asking and returns a Result envelope, never a thrown error.

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, origin: AppOrigin): boolean {
  const frame = event.senderFrame;
  // Only the top frame of our own page; a frame that navigated away or an iframe is not us.
  return frame !== null && frame.parent === null && isAppUrl(frame.url, origin);
}

const REFUSED: Result<never> = {
  ok: false,
  error: { code: 'invalid-request', message: 'refused: this request did not come from the Yoke window' },
};

export function registerIpc(engine: Pick<Engine, 'call'>, origin: AppOrigin): () => void {
  for (const command of commandNames) {
    ipcMain.handle(commandChannel(command), (event, request: unknown) => {
      if (!isTrustedSender(event, origin)) return REFUSED;
      return engine.call(command, request);
    });
  }
  return () => {
    for (const command of commandNames) ipcMain.removeHandler(commandChannel(command));
  };
}

/** Pushes engine events to the window; returns the unsubscribe function. */
export function forwardEvents(engine: Pick<Engine, 'on'>, target: () => WebContents | null): () => void {
  return engine.on((event, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(eventChannel(event), payload);
  });
}
