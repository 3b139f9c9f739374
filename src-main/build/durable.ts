// What Yoke promises is durable (a cache entry, a finished build folder) must survive a power
// cut: rename(2) alone only orders the name, not the data, so after a crash a "complete" entry
// could hold empty files. Files and folders are fsync'd before the rename that publishes them,
// and the parent folder after it. Asynchronous: the syncs wait in libuv's pool, not the UI's loop.
import fsp from 'node:fs/promises';
import path from 'node:path';

async function syncPath(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs every file and folder under `dir`, then `dir` itself. */
export async function syncTree(dir: string): Promise<void> {
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await syncTree(p);
    else if (e.isFile()) await syncPath(p);
  }
  await syncPath(dir);
}

/** fsyncs a folder, so a rename into it is on disk. */
export async function syncDir(dir: string): Promise<void> {
  await syncPath(dir);
}
