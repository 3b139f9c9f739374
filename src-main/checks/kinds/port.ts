// port: something listens on a guest TCP port (read from /proc/net/tcp, no netstat needed).
import { port as portNumber } from '../../spec/zod-rules';
import { defineKind, numberField } from './kind';

export const PORT_COMMAND = 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null';

/** TCP ports in state LISTEN (0A) in /proc/net/tcp and tcp6 text. */
export function listeningPorts(procNetTcp: string): number[] {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+:$/.test(f[0]) || f[3] !== '0A') continue;
    const port = parseInt(f[1].split(':')[1] ?? '', 16);
    if (Number.isInteger(port)) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

export type PortCheck = { kind: 'port'; port: number };

export function readPort(check: PortCheck, r: { stdout: string }) {
  const ports = listeningPorts(r.stdout);
  if (ports.includes(check.port)) return { ok: true, detail: `something listens on guest TCP port ${check.port}` };
  return { ok: false, detail: `nothing listens on guest TCP port ${check.port} (listening: ${ports.length ? ports.join(', ') : 'none'})` };
}

export const port = defineKind({
  kind: 'port',
  schema: portNumber('Something listens on this guest TCP port'),
  normalize: (raw: number) => ({ name: `port ${raw}`, check: { kind: 'port', port: raw } as PortCheck }),
  probe: async (check, t) => readPort(check, await t.run(PORT_COMMAND)),
  // /proc/net/tcp names ports in upper-case hex after the address's colon; LISTEN is state 0A.
  inGuest: (c) => `awk -v p=${c.port.toString(16).toUpperCase().padStart(4, '0')} '$4 == "0A" && substr($2, length($2) - 3) == p { f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "nothing listens on guest TCP port ${c.port}"; exit 1; }`,
  retry: 'guest',
  label: 'Something listens on a guest port',
  fields: [{ name: 'port', label: 'Guest TCP port', type: 'number', required: true }],
  example: { port: 80 },
  wizardValue: (f) => numberField(f, 'port') ?? 0,
});
