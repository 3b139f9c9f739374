import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** Plain qemu, started the way a user would: disk boot, no -kernel. Independent of src-main/vm on purpose. */
export interface Booted {
  proc: ChildProcess;
  port: number;
  consoleLog: string;
  qmpSock: string;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export async function bootDisk(osDisk: string, dataDisk: string | null, dir: string, osFormat = 'raw'): Promise<Booted> {
  const port = await freePort();
  const consoleLog = path.join(dir, 'console.log');
  const qmpSock = path.join(dir, 'qmp.sock');
  const args = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-no-reboot', '-drive', `file=${osDisk},format=${osFormat},if=virtio,snapshot=on`];
  if (dataDisk) args.push('-drive', `file=${dataDisk},format=raw,if=virtio`);
  args.push('-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:80`, '-serial', `file:${consoleLog}`, '-qmp', `unix:${qmpSock},server=on,wait=off`);
  const proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return { proc, port, consoleLog, qmpSock, exited };
}

export function httpGet(port: number, p: string, timeoutMs = 200): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: timeoutMs }, (r) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
  });
}

/** Polls with short timeouts: qemu's port forward accepts connections before the guest listens. */
export async function waitForHttp(port: number, p: string, contains: string, deadlineMs = 90_000): Promise<string> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const r = await httpGet(port, p);
      if (r.status === 200 && r.body.includes(contains)) return r.body;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`no HTTP answer containing "${contains}" on port ${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function qmp(sock: string, command: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    const c = net.connect(sock);
    let buf = '';
    let step = 0;
    c.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.trim()) continue;
        const m = JSON.parse(l);
        if (m.QMP && step === 0) {
          step = 1;
          c.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n');
        } else if ('return' in m && step === 1) {
          step = 2;
          c.write(JSON.stringify({ execute: command }) + '\n');
        } else if ('return' in m && step === 2) {
          c.end();
          res();
        } else if (m.error) rej(new Error(m.error.desc));
      }
    });
    c.on('error', rej);
  });
}

export function readConsole(b: Booted): string {
  try {
    return fs.readFileSync(b.consoleLog, 'utf8');
  } catch {
    return '';
  }
}
