// The boot floor: qemu started by hand with the same disks and forward, no Yoke, polled the
// way image-facts.md says (0.2 s HTTP timeouts). Independent of src-main/vm on purpose.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort, waitForHttp } from '../integration/build/qemu-harness';

export async function plainBootToHttp(o: { osDisk: string; dataDisk: string; kernel?: string; initrd?: string; append?: string }): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-floor-'));
  const data = path.join(dir, 'data.raw');
  fs.copyFileSync(o.dataDisk, data);
  const port = await freePort();
  const args = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-no-reboot', '-drive', `file=${o.osDisk},format=raw,if=virtio,snapshot=on`, '-drive', `file=${data},format=raw,if=virtio`];
  if (o.kernel) args.push('-kernel', o.kernel, '-initrd', o.initrd!, '-append', o.append ?? '');
  args.push('-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:80`, '-serial', 'null');
  const t0 = performance.now();
  const proc = spawn('qemu-system-x86_64', args, { stdio: 'ignore' });
  try {
    await waitForHttp(port, '/', 'hello', 120_000);
    return performance.now() - t0;
  } finally {
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
