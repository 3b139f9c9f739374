import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isCommandName, isEventName, type CommandName, type EventName, type EventPayload, type Req, type Res, type Result, type YokeClient } from '../src-main/api/contract';
import { commandChannel, eventChannel } from '../src-main/electron/channels';

// The renderer's only door to the main process. It exposes the contract and nothing else:
// names outside the contract are refused here, before anything reaches IPC.

const api = {
  invoke<C extends CommandName>(command: C, request: Req<C>): Promise<Result<Res<C>>> {
    if (!isCommandName(command)) {
      return Promise.resolve({ ok: false, error: { code: 'invalid-request', message: `unknown command '${String(command)}'` } });
    }
    return ipcRenderer.invoke(commandChannel(command), request) as Promise<Result<Res<C>>>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error(`unknown event '${String(event)}'`);
    // The IPC event object (with its sender) never reaches the page.
    const wrapped = (_e: IpcRendererEvent, payload: EventPayload<E>) => listener(payload);
    ipcRenderer.on(eventChannel(event), wrapped);
    return () => void ipcRenderer.removeListener(eventChannel(event), wrapped);
  },
} satisfies YokeClient;

export type Api = typeof api;

contextBridge.exposeInMainWorld('yoke', api);
