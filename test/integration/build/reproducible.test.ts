import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../../support/sha256';
import { runBuild, type BuildResult } from '../../../src-main/build/pipeline';
import { loadSpec } from '../../../src-main/spec/load';
import { makeTestHome, removeTestHomes } from './helpers';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

async function tarEntries(file: string): Promise<{ name: string; data: Buffer }[]> {
  const out: { name: string; data: Buffer }[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      out.push({ name: h.name, data: Buffer.concat(chunks) });
      next();
    });
  });
  await new Promise<void>((res, rej) => {
    ex.on('finish', res);
    ex.on('error', rej);
    fs.createReadStream(file).pipe(ex);
  });
  return out;
}

describe('builds are reproducible and exports are readable', () => {
  afterAll(removeTestHomes);
  const spec = loadSpec(SAMPLE).spec!;
  let first: BuildResult;

  it('gives byte-identical artifacts for two cold builds in separate homes', async () => {
    const t0 = performance.now();
    first = await runBuild({ home: await makeTestHome(), spec, flavour: 'small' });
    const coldMs = performance.now() - t0;
    const second = await runBuild({ home: await makeTestHome(), spec, flavour: 'small' });
    const rel = (b: BuildResult) => Object.fromEntries(b.artifacts.map((a) => [path.relative(b.buildDir, a.path), a.sha256]));
    expect(rel(second)).toEqual(rel(first));
    expect(Object.keys(rel(first)).sort()).toEqual(
      [
        'os.raw', 'data.raw', 'boot/vmlinuz', 'boot/initrd.zst', 'boot/cmdline',
        ...['qcow2', 'vmdk', 'vhd', 'vdi'].flatMap((f) => [`exports/hello-web-os.${f}`, `exports/hello-web-data.${f}`]),
        'hello-web-1.0.0.ova',
      ].sort(),
    );
    // The recorded hashes are the files' real hashes.
    for (const a of first.artifacts) expect(sha256Of(a.path)).toBe(a.sha256);
    expect(first.inputsHash).toBe(second.inputsHash);
    console.log(`timings: cold build with all outputs ${coldMs.toFixed(0)} ms`);
  });

  it('makes the same update package and update medium (raw and vmdk) in two homes given the same key', async () => {
    const privateKey = crypto.generateKeyPairSync('ed25519').privateKey;
    const updates = { key: { publicRaw: crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32), privateKey } };
    const [a, b] = [await runBuild({ home: await makeTestHome(), spec, flavour: 'small', outputs: ['raw'], updates }), await runBuild({ home: await makeTestHome(), spec, flavour: 'small', outputs: ['raw'], updates })];
    const upd = (r: BuildResult) => Object.fromEntries(r.artifacts.filter((x) => x.kind.startsWith('update-')).map((x) => [`${x.kind} ${path.relative(r.buildDir, x.path)}`, x.sha256]));
    expect(Object.keys(upd(a)).sort()).toEqual(['update-full updates/hello-web-1.0.0.full.yup', 'update-medium updates/hello-web-1.0.0.update.raw', 'update-medium updates/hello-web-1.0.0.update.vmdk']);
    expect(upd(b)).toEqual(upd(a));
    for (const x of a.artifacts.filter((y) => y.kind === 'update-medium')) expect(sha256Of(x.path)).toBe(x.sha256);
  });

  it('writes exports qemu-img reads back at the disk sizes', () => {
    for (const a of first.artifacts.filter((x) => x.kind === 'export')) {
      const fmt = a.format === 'vhd' ? 'vpc' : a.format;
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', fmt, a.path], { encoding: 'utf8' }));
      expect(info['virtual-size']).toBe(a.disk === 'os' ? spec.disks.os.sizeBytes : spec.flavours.small.dataBytes);
    }
  });

  it('packs an OVA whose descriptor comes first, is well-formed XML, and whose manifest matches every file', async () => {
    const ova = first.artifacts.find((a) => a.kind === 'ova')!;
    const entries = await tarEntries(ova.path);
    expect(entries.map((e) => e.name)).toEqual(['hello-web-1.0.0.ovf', 'hello-web-os.vmdk', 'hello-web-data.vmdk', 'hello-web-1.0.0.mf']);
    const ovfFile = path.join(path.dirname(ova.path), 'check.ovf');
    fs.writeFileSync(ovfFile, entries[0].data);
    try {
      execFileSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', ovfFile]);
    } finally {
      fs.rmSync(ovfFile);
    }
    const ovf = entries[0].data.toString();
    const hrefs = [...ovf.matchAll(/ovf:href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['hello-web-os.vmdk', 'hello-web-data.vmdk']);
    for (const m of ovf.matchAll(/ovf:href="([^"]+)" ovf:size="(\d+)"/g)) {
      expect(entries.find((e) => e.name === m[1])!.data.length).toBe(Number(m[2]));
    }
    expect(ovf).toContain('<rasd:VirtualQuantity>256</rasd:VirtualQuantity>');
    const mf = entries[3].data.toString().trim().split('\n');
    expect(mf).toHaveLength(3);
    for (const line of mf) {
      const [, name, hex] = /^SHA256\((.+)\)= ([0-9a-f]{64})$/.exec(line)!;
      const e = entries.find((x) => x.name === name)!;
      expect(crypto.createHash('sha256').update(e.data).digest('hex')).toBe(hex);
    }
  });

  it('signs the OVA with a user key and certificate when asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-sign-'));
    const key = path.join(dir, 'k.pem');
    const cert = path.join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=yoke-test'], { stdio: 'pipe' });
    const signed = await runBuild({ home: await makeTestHome(), spec, flavour: 'small', outputs: ['ova'], signing: { keyPem: fs.readFileSync(key, 'utf8'), certPem: fs.readFileSync(cert, 'utf8') } });
    const entries = await tarEntries(signed.artifacts.find((a) => a.kind === 'ova')!.path);
    expect(entries.map((e) => e.name)).toEqual(['hello-web-1.0.0.ovf', 'hello-web-os.vmdk', 'hello-web-data.vmdk', 'hello-web-1.0.0.mf', 'hello-web-1.0.0.cert']);
    const certText = entries[4].data.toString();
    const [, hex] = /^SHA256\(hello-web-1\.0\.0\.mf\)= ([0-9a-f]+)\n/.exec(certText)!;
    expect(crypto.verify('sha256', entries[3].data, new crypto.X509Certificate(fs.readFileSync(cert)).publicKey, Buffer.from(hex, 'hex'))).toBe(true);
    // Only the OVA was asked for: no loose exports in the build folder.
    expect(signed.artifacts.filter((a) => a.kind === 'export')).toEqual([]);
  });
});
