import type { CommandName, EventName } from '../api/contract';

// IPC channel names, shared by the main process and the preload. One channel per contract
// command and per event, so nothing outside the contract can be sent over IPC.
export function commandChannel(command: CommandName): string {
  return `yoke:call:${command}`;
}

export function eventChannel(event: EventName): string {
  return `yoke:event:${event}`;
}
