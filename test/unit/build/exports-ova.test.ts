import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISK_FORMATS, formatOf } from '../../../src-main/build/formats';
import { pinVmdkCid, vhdChecksum } from '../../../src-main/build/pin';
import { qemuImgConvertArgs } from '../../../src-main/tools/qemu-img';
import { manifestLine, ovfDescriptor, signManifest } from '../../../src-main/build/ova';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-exp-'));

function convert(fmt: string, opts: string[], name: string): string {
  const dir = tmp();
  const raw = path.join(dir, 'd.raw');
  fs.writeFileSync(raw, Buffer.alloc(1 << 20, 7));
  const out = path.join(dir, name);
  execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', fmt, ...opts, raw, out]);
  return out;
}

describe('pinning the random bits qemu-img writes', () => {
  // Every disk format of the table, converted twice with the table's qemu-img options and pinned
  // with its pin, must come out byte-identical and read back (with its read-back driver) as the disk.
  it.each(DISK_FORMATS.map((f) => [f]))('gives identical %s files for two conversions, which qemu-img still reads back', (name) => {
    const f = formatOf(name);
    const seed = crypto.createHash('sha256').update('x').digest();
    const twice = [0, 1].map(() => {
      const dir = tmp();
      const raw = path.join(dir, 'd.raw');
      fs.writeFileSync(raw, Buffer.alloc(1 << 20, 7));
      const out = path.join(dir, `a.${f.extension}`);
      execFileSync('qemu-img', qemuImgConvertArgs(raw, out, f.qemuImg));
      f.pin?.(out, { seed, seedHex: seed.toString('hex'), epoch: 1704067200 });
      return out;
    });
    const [a, b] = twice;
    expect(fs.readFileSync(a).equals(fs.readFileSync(b)), `${name}: ${a} vs ${b}`).toBe(true);
    const back = `${a}.back.raw`;
    execFileSync('qemu-img', ['convert', '-q', '-f', f.readBack, '-O', 'raw', a, back]);
    expect(fs.readFileSync(back).equals(Buffer.alloc(1 << 20, 7))).toBe(true);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', f.readBack, a], { encoding: 'utf8' }));
    expect(info['virtual-size']).toBe(1 << 20);
  });

  it('pins a vmdk whose random CID was printed with fewer than 8 digits', () => {
    const a = convert('vmdk', ['-o', 'subformat=streamOptimized'], 'a.vmdk');
    const b = convert('vmdk', ['-o', 'subformat=streamOptimized'], 'a.vmdk');
    // qemu-img writes the CID with %x: make b's as short as a CID with leading zeros comes out.
    const bytes = fs.readFileSync(b);
    const at = bytes.indexOf('\nCID=') + 5;
    const end = bytes.indexOf(0, at);
    const rest = Buffer.from(bytes.subarray(bytes.indexOf('\n', at), end));
    Buffer.concat([Buffer.from('3f1a2'), rest, Buffer.alloc(3)]).copy(bytes, at);
    fs.writeFileSync(b, bytes);
    pinVmdkCid(a, 'deadbeef');
    pinVmdkCid(b, 'deadbeef');
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const back = `${b}.back.raw`;
    execFileSync('qemu-img', ['convert', '-q', '-f', 'vmdk', '-O', 'raw', b, back]);
    expect(fs.readFileSync(back).equals(Buffer.alloc(1 << 20, 7))).toBe(true);
  });

  it('computes the VHD checksum over the footer without its checksum field', () => {
    const f = Buffer.alloc(512);
    f[0] = 10;
    f[64] = 0xff;
    expect(vhdChecksum(f)).toBe(~10 >>> 0);
  });
});

describe('OVA parts', () => {
  const input = { name: 'hello-web', version: '1.0.0', description: 'A & B <tiny>', cpus: 2, memoryBytes: 256 * 1048576, disks: [{ name: 'hello-web-os.vmdk', file: '/x', capacityBytes: 64 << 20 }] };

  it('describes disks, CPUs and memory, escaping text', () => {
    const ovf = ovfDescriptor(input, [1234]);
    expect(ovf).toContain('<File ovf:id="file1" ovf:href="hello-web-os.vmdk" ovf:size="1234"/>');
    expect(ovf).toContain(`ovf:capacity="${64 << 20}"`);
    expect(ovf).toContain('<Info>A &amp; B &lt;tiny&gt;</Info>');
    expect(ovf).toMatch(/<rasd:ResourceType>3<\/rasd:ResourceType>\n\s+<rasd:VirtualQuantity>2</);
    expect(ovf).toMatch(/<rasd:ResourceType>4<\/rasd:ResourceType>\n\s+<rasd:VirtualQuantity>256</);
    expect(manifestLine('a.ovf', 'ab')).toBe('SHA256(a.ovf)= ab\n');
  });

  it('signs the manifest so the certificate verifies it, and refuses a key that does not match', () => {
    const dir = tmp();
    const key = path.join(dir, 'k.pem');
    const cert = path.join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=yoke-test'], { stdio: 'pipe' });
    const mf = Buffer.from(manifestLine('a.ovf', 'ab'));
    const text = signManifest('a.mf', mf, fs.readFileSync(key, 'utf8'), fs.readFileSync(cert, 'utf8'));
    const [, hex] = /^SHA256\(a\.mf\)= ([0-9a-f]+)\n/.exec(text)!;
    expect(crypto.verify('sha256', mf, new crypto.X509Certificate(fs.readFileSync(cert)).publicKey, Buffer.from(hex, 'hex'))).toBe(true);
    expect(text).toContain('-----BEGIN CERTIFICATE-----');
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signManifest('a.mf', mf, other, fs.readFileSync(cert, 'utf8'))).toThrow(/certificate does not belong to the key/);
  });
});
