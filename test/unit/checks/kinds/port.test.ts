import { describe, expect, it } from 'vitest';
import { listeningPorts, readPort } from '../../../../src-main/checks/kinds/port';

const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const base = { name: 'c', timeoutMs: 1000, line: 1 };

const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0F02000A:0050 0202000A:D1A2 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 0 10 -1
   2: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
`;

describe('port', () => {
  it('lists ports in LISTEN state from tcp and tcp6, ignoring other states', () => {
    expect(listeningPorts(PROC_NET_TCP)).toEqual([22, 80]);
  });
  it('passes on a listening port and lists what listens otherwise', () => {
    expect(readPort({ ...base, kind: 'port', port: 22 }, ok(PROC_NET_TCP)).ok).toBe(true);
    expect(readPort({ ...base, kind: 'port', port: 8080 }, ok(PROC_NET_TCP))).toEqual({ ok: false, detail: 'nothing listens on guest TCP port 8080 (listening: 22, 80)' });
  });
});
