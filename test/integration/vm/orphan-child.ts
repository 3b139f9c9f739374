// Run as a separate Node process by no-orphans.test.ts: starts a VM, reports it, then waits
// to be SIGKILLed by the test.
import { Machine } from '../../../src-main/vm/machine';

async function main(): Promise<void> {
  const [home, kernel, initrd] = process.argv.slice(2);
  const m = new Machine({ home, kernel, initrd, append: 'console=ttyS0 quiet', memoryMiB: 128 });
  await m.start();
  process.stdout.write(JSON.stringify({ vmid: m.vmid, pid: m.pid }) + '\n');
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
