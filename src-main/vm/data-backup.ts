import path from 'node:path';
import type { QmpClient } from './qmp';

/**
 * A point-in-time copy of a running VM's data disk through QMP drive-backup (crash-consistent:
 * the guest runs on), written as a sparse raw image to `rawPath`.
 */
export async function backupDataDisk(qmp: QmpClient, rawPath: string, timeoutMs = 600_000): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the data disk copy did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = qmp.onEvent((e) => {
      const d = e.data as { device?: string; error?: string } | undefined;
      if (d?.device !== 'data-backup') return;
      if (e.event === 'BLOCK_JOB_COMPLETED' || e.event === 'BLOCK_JOB_CANCELLED') {
        clearTimeout(timer);
        off();
        if (e.event === 'BLOCK_JOB_COMPLETED' && !d.error) resolve();
        else reject(new Error(`the data disk copy stopped: ${d.error ?? 'cancelled'}`));
      }
    });
  });
  await qmp.execute('drive-backup', { 'job-id': 'data-backup', device: 'data', sync: 'full', target: path.resolve(rawPath), format: 'raw', mode: 'absolute-paths' });
  await done;
}
