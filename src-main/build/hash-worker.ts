import { Worker } from 'node:worker_threads';

/*
 * One worker thread for hashing big files with plain synchronous reads, so a 1 GiB disk hashes on
 * a core of its own and the main thread stays free to start tools. The worker's code is a string
 * (no separate file to find after bundling). It is unref'd: an idle worker never keeps the
 * process alive. A cancel flag in shared memory is checked between chunks.
 */

const CODE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const CHUNK = 1 << 20;
const buf = Buffer.allocUnsafe(CHUNK);
const zeros = Buffer.alloc(CHUNK);
parentPort.on('message', ({ id, file, size, holes, cancel }) => {
  const flag = new Int32Array(cancel);
  try {
    const h = crypto.createHash('sha256');
    const fd = fs.openSync(file, 'r');
    try {
      // holes: sorted [start, end) ranges that read as zeros; they are hashed without being read.
      let pos = 0;
      const span = (end, zero) => {
        while (pos < end) {
          if (Atomics.load(flag, 0)) throw new Error('The build was cancelled.');
          const want = Math.min(CHUNK, end - pos);
          if (zero) h.update(zeros.subarray(0, want));
          else {
            const n = fs.readSync(fd, buf, 0, want, pos);
            if (n !== want) throw new Error(file + ' changed while it was being hashed');
            h.update(buf.subarray(0, n));
          }
          pos += want;
        }
      };
      for (const [start, end] of holes) {
        span(start, false);
        span(end, true);
      }
      span(size, false);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.statSync(file).size !== size) throw new Error(file + ' changed while it was being hashed');
    parentPort.postMessage({ id, hex: h.digest('hex') });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

let worker: Worker | null = null;
let nextId = 1;
const jobs = new Map<number, { resolve(hex: string): void; reject(e: Error): void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(CODE, { eval: true });
  w.unref();
  w.on('message', (m: { id: number; hex?: string; error?: string }) => {
    const job = jobs.get(m.id);
    jobs.delete(m.id);
    if (jobs.size === 0) w.unref();
    if (!job) return;
    if (m.error !== undefined) job.reject(new Error(m.error));
    else job.resolve(m.hex!);
  });
  const fail = (e: Error) => {
    worker = null;
    for (const j of jobs.values()) j.reject(e);
    jobs.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the hashing worker stopped (exit ${code})`)));
  worker = w;
  return w;
}

/**
 * SHA-256 (hex) of a file of `size` bytes, computed in the worker; jobs run one after another.
 * `holes` ([start, end) ranges known to read as zeros, sorted) are hashed without being read.
 */
export function hashInWorker(file: string, size: number, holes: [number, number][] = [], signal?: AbortSignal): Promise<string> {
  const w = getWorker();
  const id = nextId++;
  const cancel = new SharedArrayBuffer(4);
  const onAbort = () => Atomics.store(new Int32Array(cancel), 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return new Promise<string>((resolve, reject) => {
    jobs.set(id, { resolve, reject });
    // Referenced while a job runs: a pending hash is work the process must wait for.
    w.ref();
    w.postMessage({ id, file, size, holes, cancel });
  }).finally(() => signal?.removeEventListener('abort', onAbort));
}
