import crypto from 'node:crypto';
import fs from 'node:fs';
import { hashFile, rememberHash } from './hash';
import { writeTar } from './tar';

export interface OvaDisk {
  /** File name inside the OVA, e.g. hello-web-os.vmdk */
  name: string;
  /** The streamOptimized vmdk on disk. */
  file: string;
  capacityBytes: number;
}

export interface OvaInput {
  name: string;
  version: string;
  description?: string;
  cpus: number;
  memoryBytes: number;
  disks: OvaDisk[];
  out: string;
  epoch: number;
  /** PEM private key and certificate: adds a .cert signing the manifest. */
  signing?: { keyPem: string; certPem: string };
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The network name in the OVF: VirtualBox attaches a NIC whose Connection is "Bridged" to a bridged adapter; VMware asks which port group to map it to. */
export const OVF_NETWORK = 'Bridged';
/** Hardware families a VMware importer may pick, newest it knows first; vmx-07 is the oldest with PVSCSI and VMXNET3. */
export const OVF_SYSTEM_TYPE = 'vmx-07 vmx-10 virtualbox-2.2';
/** VMware's name for OVF OS id 101 (Linux 64-bit); govmomi maps 101 to it anyway. */
export const VMW_OS_TYPE = 'otherLinux64Guest';

/**
 * The OVF 1.0 descriptor (hardware-facts.md has the importers' rules behind each choice):
 * - Both disks on one IDE controller with no ResourceSubType: VirtualBox then makes it PIIX4,
 *   VMware accepts it (it refuses "PIIX4"). The guest sees the hardware of the virtualbox-ide
 *   and vmware-ide profiles (vm/hardware.ts), whose drivers the image carries.
 * - One E1000 NIC (VirtualBox: 82540EM, VMware: 82545EM) on a network named "Bridged". Chosen
 *   over a NAT network plus a VirtualBox port-forward: VirtualBox reads only NAT rules from a
 *   vbox:Machine section, and when that section is present it replaces every generic section,
 *   so the whole machine (controllers, disk uuids) would have to be restated in VirtualBox's own
 *   settings format, which cannot be checked without VirtualBox; a fixed host port would also
 *   clash between two imported appliances. Bridged, the service answers on the address the
 *   guest gets by DHCP in both hypervisors, and init prints that address on the VM's screen.
 * - No serial port (VirtualBox fails on it as a required Item it does not handle); the console
 *   is on the screen (kernel command line console=tty0).
 */
export function ovfDescriptor(i: Omit<OvaInput, 'out' | 'epoch' | 'signing'>, sizes: number[]): string {
  const refs = i.disks.map((d, n) => `    <File ovf:id="file${n + 1}" ovf:href="${xml(d.name)}" ovf:size="${sizes[n]}"/>`);
  const disks = i.disks.map(
    (d, n) =>
      `    <Disk ovf:diskId="vmdisk${n + 1}" ovf:fileRef="file${n + 1}" ovf:capacity="${d.capacityBytes}" ovf:capacityAllocationUnits="byte" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`,
  );
  // RASD elements in the schema's (alphabetical) order: an Item out of order is invalid OVF.
  const diskItems = i.disks.map(
    (_d, n) => `      <Item>
        <rasd:AddressOnParent>${n}</rasd:AddressOnParent>
        <rasd:ElementName>disk${n + 1}</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk${n + 1}</rasd:HostResource>
        <rasd:InstanceID>${10 + n}</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>`,
  );
  const memMiB = Math.max(1, Math.round(i.memoryBytes / 1048576));
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
${refs.join('\n')}
  </References>
  <DiskSection>
    <Info>Virtual disks</Info>
${disks.join('\n')}
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks</Info>
    <Network ovf:name="${OVF_NETWORK}">
      <Description>The appliance's network: bridged to the host's, the guest takes an address by DHCP</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${xml(i.name)}">
    <Info>${xml(i.description ?? `${i.name} virtual appliance`)}</Info>
    <Name>${xml(i.name)}</Name>
    <ProductSection>
      <Info>Product</Info>
      <Product>${xml(i.name)}</Product>
      <Version>${xml(i.version)}</Version>
      <FullVersion>${xml(i.version)}</FullVersion>
    </ProductSection>
    <OperatingSystemSection ovf:id="101" vmw:osType="${VMW_OS_TYPE}">
      <Info>Guest operating system</Info>
      <Description>Linux 64-bit</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${xml(i.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>${OVF_SYSTEM_TYPE}</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>${i.cpus} virtual CPU</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>${i.cpus}</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>${memMiB} MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>${memMiB}</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>ideController0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceType>5</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>${OVF_NETWORK}</rasd:Connection>
        <rasd:ElementName>ethernet0</rasd:ElementName>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:ResourceSubType>E1000</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
${diskItems.join('\n')}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

/** The manifest line format OVF tools check: `SHA256(name)= hex`. */
export function manifestLine(name: string, hex: string): string {
  return `SHA256(${name})= ${hex}\n`;
}

/** Signs the manifest: `SHA256(x.mf)= <signature hex>` then the certificate, as ovftool writes it. */
export function signManifest(mfName: string, mf: Buffer, keyPem: string, certPem: string): string {
  let sig: Buffer;
  try {
    sig = crypto.sign('sha256', mf, keyPem);
  } catch (e) {
    throw new Error(`Cannot sign the OVA manifest with the given key: ${(e as Error).message}. Give an RSA private key in PEM form.`);
  }
  try {
    const cert = new crypto.X509Certificate(certPem);
    if (!cert.checkPrivateKey(crypto.createPrivateKey(keyPem))) throw new Error('the certificate does not belong to the key');
  } catch (e) {
    throw new Error(`The OVA signing certificate is not usable: ${(e as Error).message}.`);
  }
  return `SHA256(${mfName})= ${sig.toString('hex')}\n${certPem.trim()}\n`;
}

/**
 * Writes the OVA: descriptor first (importers read it before the disks), then the disks, then the
 * manifest (and certificate). Fixed mtimes and owners keep the tar reproducible.
 */
export async function writeOva(i: OvaInput): Promise<Map<string, string>> {
  const base = `${i.name}-${i.version}`;
  const sizes = i.disks.map((d) => fs.statSync(d.file).size);
  const ovf = Buffer.from(ovfDescriptor(i, sizes));
  const ovfName = `${base}.ovf`;
  const digests = new Map<string, string>([[ovfName, crypto.createHash('sha256').update(ovf).digest('hex')]]);
  // The vmdks were hashed when they entered the cache: remembered, not read again.
  for (const d of i.disks) digests.set(d.name, await hashFile(d.file));
  const mfText = [...digests].map(([name, hex]) => manifestLine(name, hex)).join('');
  const mf = Buffer.from(mfText);
  const mfName = `${base}.mf`;
  const entries = [{ name: ovfName, data: ovf }, ...i.disks.map((d, n) => ({ name: d.name, file: d.file, size: sizes[n] })), { name: mfName, data: mf }];
  if (i.signing) entries.push({ name: `${base}.cert`, data: Buffer.from(signManifest(mfName, mf, i.signing.keyPem, i.signing.certPem)) });
  try {
    const hex = await writeTar(i.out, entries, i.epoch);
    // Hashed on its way to the file, so the cache does not read the OVA back.
    rememberHash(i.out, hex);
  } catch (e) {
    fs.rmSync(i.out, { force: true });
    throw e;
  }
  // The members' digests, for the lint that follows (it need not read the disks again).
  return digests;
}

export function ovaDiskName(appliance: string, disk: 'os' | 'data'): string {
  return `${appliance}-${disk}.vmdk`;
}

export const ovaFileName = (name: string, version: string) => `${name}-${version}.ova`;
