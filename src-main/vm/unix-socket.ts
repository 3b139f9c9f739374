import net from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects to a unix socket that qemu creates shortly after it starts: retry while the file
 * does not exist yet (ENOENT) or nobody listens yet (ECONNREFUSED), give up early if qemu died.
 */
export async function connectUnix(socketPath: string, timeoutMs: number, what: string, isAlive?: () => boolean): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(socketPath);
        s.once('connect', () => {
          s.removeListener('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw new Error(`Could not connect to the ${what} socket ${socketPath}: ${(err as Error).message}`);
      if (isAlive && !isAlive()) throw new Error(`qemu exited before its ${what} socket ${socketPath} accepted a connection.`);
      if (Date.now() > deadline) throw new Error(`The ${what} socket ${socketPath} did not accept a connection within ${timeoutMs} ms.`);
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
}
