import type { YokeClient } from '../src-main/api/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser, where api/client.ts uses the WebSocket. */
    yoke?: YokeClient;
  }
}
