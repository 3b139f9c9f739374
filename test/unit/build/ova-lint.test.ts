// The OVA lint on real OVAs: Yoke's own (no findings) and ones broken the ways importers are
// known to refuse (hardware-facts.md), each finding naming the importer it breaks.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trimVmdk, vmdkStreamEnd } from '../../../src-main/build/vmdk-stream';
import { manifestLine, ovfDescriptor, writeOva } from '../../../src-main/build/ova';
import { lintOva, type OvaFinding } from '../../../src-main/build/ova-lint';
import { writeTar } from '../../../src-main/build/tar';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-lint-test-'));
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function vmdk(name: string, mib: number, fill: number, trim = true): string {
  const raw = path.join(dir, `${name}.raw`);
  fs.writeFileSync(raw, Buffer.alloc(mib << 20, fill));
  const out = path.join(dir, name);
  execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, out]);
  if (trim) trimVmdk(out);
  return out;
}

let os1: string;
let data1: string;
const input = () => ({ name: 'app', version: '1.0', cpus: 1, memoryBytes: 256 << 20, disks: [{ name: 'app-os.vmdk', file: os1, capacityBytes: 2 << 20 }, { name: 'app-data.vmdk', file: data1, capacityBytes: 1 << 20 }] });

beforeAll(() => {
  os1 = vmdk('app-os.vmdk', 2, 7);
  data1 = vmdk('app-data.vmdk', 1, 0);
});

/** An OVA written member by member, with the descriptor and manifest as given. */
async function craft(name: string, o: { ovf?: (x: string) => string; members?: (m: { name: string; data: Buffer }[]) => { name: string; data: Buffer }[]; mf?: (x: string) => string; disks?: string[] } = {}): Promise<string> {
  const files = o.disks ?? [os1, data1];
  const disks = files.map((f, i) => ({ name: i === 0 ? 'app-os.vmdk' : 'app-data.vmdk', data: fs.readFileSync(f) }));
  const ovf = Buffer.from((o.ovf ?? ((x) => x))(ovfDescriptor(input(), disks.map((d) => d.data.length))));
  let mf = manifestLine('app-1.0.ovf', sha(ovf)) + disks.map((d) => manifestLine(d.name, sha(d.data))).join('');
  mf = (o.mf ?? ((x) => x))(mf);
  let members: { name: string; data: Buffer }[] = [{ name: 'app-1.0.ovf', data: ovf }, ...disks, { name: 'app-1.0.mf', data: Buffer.from(mf) }];
  if (o.members) members = o.members(members);
  const out = path.join(dir, `${name}.ova`);
  await writeTar(out, members, 1704067200);
  return out;
}

const about = (fs_: OvaFinding[], re: RegExp) => fs_.filter((f) => re.test(f.message));

describe('yoke lint-ova rules', () => {
  it('finds nothing wrong with the OVA Yoke writes', async () => {
    const out = path.join(dir, 'good.ova');
    await writeOva({ ...input(), out, epoch: 1704067200 });
    expect(await lintOva(out)).toEqual([]);
  });

  it('cuts qemu-img vmdks at the end-of-stream marker and they stay valid', () => {
    const untrimmed = vmdk('untrimmed.vmdk', 2, 7, false);
    const { end, marker } = vmdkStreamEnd(untrimmed);
    expect(marker).toBe(true);
    expect(end).toBeLessThan(fs.statSync(untrimmed).size);
    trimVmdk(untrimmed);
    expect(fs.statSync(untrimmed).size).toBe(end);
    execFileSync('qemu-img', ['check', untrimmed]);
    execFileSync('qemu-img', ['compare', '-f', 'vmdk', '-F', 'raw', untrimmed, path.join(dir, 'untrimmed.vmdk.raw')]);
  });

  it('names VMware for a PIIX4 IDE controller and a lone virtualbox-2.2 system type', async () => {
    const f = await lintOva(
      await craft('piix4', { ovf: (x) => x.replace('<rasd:ResourceType>5</rasd:ResourceType>', '<rasd:ResourceSubType>PIIX4</rasd:ResourceSubType>\n        <rasd:ResourceType>5</rasd:ResourceType>').replace(/<vssd:VirtualSystemType>[^<]*</, '<vssd:VirtualSystemType>virtualbox-2.2<') }),
    );
    expect(about(f, /ResourceSubType "PIIX4" is refused by ESXi/)).toMatchObject([{ importer: 'VMware', where: expect.stringMatching(/^app-1\.0\.ovf:\d+$/) }]);
    expect(about(f, /names no vmx-NN/)).toMatchObject([{ importer: 'VMware' }]);
  });

  it('names the manifest line ESXi cannot read and a digest that does not match', async () => {
    const f = await lintOva(await craft('mf', { mf: (x) => x.replace('SHA256(app-os.vmdk)= ', 'SHA256 (app-os.vmdk) = ').replace(/(SHA256\(app-data\.vmdk\)= )[0-9a-f]+/, `$1${'f'.repeat(64)}`) }));
    expect(about(f, /is not a manifest line/)).toMatchObject([{ importer: 'VMware', where: 'app-1.0.mf:2' }]);
    expect(about(f, /digest of app-data.vmdk does not match/)).toMatchObject([{ importer: 'VirtualBox and VMware', where: 'app-1.0.mf:3' }]);
  });

  it('names a descriptor that is not first and disks out of References order', async () => {
    const f = await lintOva(await craft('order', { members: (m) => [m[2], m[1], m[0], m[3]] }));
    expect(about(f, /must come first/)).toHaveLength(1);
    expect(about(f, /References order/)).toMatchObject([{ importer: 'VirtualBox' }]);
  });

  it('reports schema violations with their line (RASD elements out of order)', async () => {
    const f = await lintOva(await craft('schema', { ovf: (x) => x.replace('<rasd:Address>0</rasd:Address>\n        <rasd:ElementName>ideController0</rasd:ElementName>', '<rasd:ElementName>ideController0</rasd:ElementName>\n        <rasd:Address>0</rasd:Address>') }));
    const schema = about(f, /Not valid OVF 1.0/);
    expect(schema.length).toBeGreaterThan(0);
    expect(schema[0].where).toMatch(/^app-1\.0\.ovf:\d+$/);
  });

  it('reports a descriptor that is not well-formed XML', async () => {
    const f = await lintOva(await craft('broken', { ovf: (x) => x.replace('</References>', '') }));
    expect(about(f, /Not valid OVF 1.0/).length).toBeGreaterThan(0);
  });

  it('names trailing bytes after a vmdk end-of-stream marker, a capacity mismatch and a serial port', async () => {
    const long = vmdk('long.vmdk', 2, 7, false);
    const f = await lintOva(
      await craft('misc', {
        disks: [long, data1],
        ovf: (x) =>
          x.replace(`ovf:capacity="${1 << 20}"`, `ovf:capacity="${3 << 20}"`).replace(
            '</VirtualHardwareSection>',
            '  <Item>\n        <rasd:ElementName>serial0</rasd:ElementName>\n        <rasd:InstanceID>20</rasd:InstanceID>\n        <rasd:ResourceType>21</rasd:ResourceType>\n      </Item>\n    </VirtualHardwareSection>',
          ),
      }),
    );
    expect(about(f, /bytes follow the vmdk's end-of-stream marker/)).toMatchObject([{ importer: 'VMware', where: 'app-os.vmdk' }]);
    expect(about(f, /declares 3145728 bytes but its vmdk holds 1048576/)).toHaveLength(1);
    expect(about(f, /serial port/)).toMatchObject([{ importer: 'VirtualBox' }]);
  });

  it('names a File whose member is missing and a file that is not a tar', async () => {
    const f = await lintOva(await craft('missing', { members: (m) => m.filter((x) => x.name !== 'app-data.vmdk') }));
    expect(about(f, /refers to app-data.vmdk, which is not in the OVA/)).toHaveLength(1);
    const junk = path.join(dir, 'junk.ova');
    fs.writeFileSync(junk, Buffer.alloc(2048, 1));
    expect(await lintOva(junk)).toMatchObject([{ message: expect.stringMatching(/not a tar archive/) }]);
  });
});
