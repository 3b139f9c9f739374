import fs from 'node:fs';

/*
 * Where each member of a tar (an OVA) lies in the file. Hand-written rather than tar-stream:
 * the OVA lint needs each member's byte offset (to hash it in place and to walk a vmdk's grain
 * markers without copying gigabytes out), which a streaming extractor does not give.
 */

export interface TarMember {
  name: string;
  /** ustar type flag: '0' (or NUL) is a regular file. */
  type: string;
  /** Offset of the member's data in the tar file. */
  offset: number;
  size: number;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

function field(b: Buffer, at: number, len: number): string {
  const raw = b.subarray(at, at + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function size(b: Buffer): number {
  // Past 8 GiB GNU tar writes base-256 (high bit of the first byte set).
  if (b[124] & 0x80) {
    let n = 0;
    for (let i = 1; i < 12; i++) n = n * 256 + b[124 + i];
    return n;
  }
  return parseInt(field(b, 124, 12).trim() || '0', 8);
}

function checksumOk(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
  return parseInt(field(b, 148, 8).trim(), 8) === sum;
}

/** The members of the tar at `file`, in archive order. */
export function readTarIndex(file: string): TarMember[] {
  const fd = fs.openSync(file, 'r');
  try {
    const total = fs.fstatSync(fd).size;
    const out: TarMember[] = [];
    const h = Buffer.alloc(512);
    let at = 0;
    let longName: string | null = null;
    while (at + 512 <= total) {
      fs.readSync(fd, h, 0, 512, at);
      if (h.every((x) => x === 0)) break;
      if (!checksumOk(h)) throw new TarFormatError(`The header at byte ${at} has a bad checksum: not a tar archive, or a damaged one.`);
      const type = String.fromCharCode(h[156] || 0x30);
      const n = size(h);
      const data = at + 512;
      if (data + n > total) throw new TarFormatError(`The member at byte ${at} claims ${n} bytes but the file ends at ${total}: the OVA is truncated.`);
      if (type === 'x' || type === 'L') {
        // PAX or GNU long name for the next member.
        const body = Buffer.alloc(n);
        fs.readSync(fd, body, 0, n, data);
        longName = type === 'L' ? field(body, 0, n) : (/(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? null);
      } else {
        const prefix = field(h, 345, 155);
        const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
        longName = null;
        out.push({ name, type, offset: data, size: n });
      }
      at = data + Math.ceil(n / 512) * 512;
    }
    if (out.length === 0) throw new TarFormatError('No members found: not a tar archive.');
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
