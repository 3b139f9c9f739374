import { runTool } from './run';

export const QEMU_SYSTEM = 'qemu-system-x86_64';

/** Device names and aliases from `qemu-system-x86_64 -device help` (lines like `name "e1000", bus PCI, alias "e1000-82540em"`). */
export function parseDeviceHelp(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^name "([^"]+)"(?:.*?alias "([^"]+)")?/.exec(line.trim());
    if (!m) continue;
    names.add(m[1]);
    if (m[2]) names.add(m[2]);
  }
  return names;
}

let cached: Promise<Set<string>> | null = null;

/** The devices this host's qemu can emulate; asked once per process (the answer does not change while Yoke runs). */
export function qemuDevices(): Promise<Set<string>> {
  cached ??= runTool({ tool: QEMU_SYSTEM, aptPackage: 'qemu-system-x86', argv: ['-device', 'help'], timeoutMs: 30_000 })
    .then((r) => parseDeviceHelp(r.stdout))
    .catch((e) => {
      cached = null;
      throw e;
    });
  return cached;
}
