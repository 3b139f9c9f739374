// The OVA lint: the rules VirtualBox and VMware apply on import (shared/design/hardware-facts.md,
// with the importers' sources), checked on the file itself. Each finding names the importer it
// would break, so "imports in VirtualBox, refused by ESXi" is seen before a customer sees it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { xmllintValidate } from '../tools/xmllint';
import { resourcesDir } from '../util/resources';
import { vmdkStreamEndAt } from './vmdk-stream';
import { readTarIndex, TarFormatError, type TarMember } from './tar-index';

export type Importer = 'VirtualBox' | 'VMware' | 'VirtualBox and VMware';

export interface OvaFinding {
  importer: Importer;
  /** The member (and line) the finding is about. */
  where: string;
  message: string;
}

const BOTH: Importer = 'VirtualBox and VMware';
const OVF_NS = 'http://schemas.dmtf.org/ovf/envelope/1';
const RASD_NS = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData';
const VSSD_NS = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData';

/** NIC subtypes each importer maps to a card (others: VirtualBox falls back to its default, VMware refuses). */
const NIC_SUBTYPES: Record<'VirtualBox' | 'VMware', string[]> = {
  VirtualBox: ['e1000', 'pcnet32', 'pcnetpci', 'pcnetfast', 'virtio'],
  VMware: ['e1000', 'e1000e', 'vmxnet3', 'pcnet32', 'vmxnet', 'vmxnet2'],
};

export function ovfSchemaPath(): string {
  return path.join(resourcesDir(), 'ovf', 'dsp8023_1.0.0.xsd');
}

function hashRange(file: string, m: TarMember): Promise<string> {
  if (m.size === 0) return Promise.resolve(crypto.createHash('sha256').digest('hex'));
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file, { start: m.offset, end: m.offset + m.size - 1 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

function readMember(file: string, m: TarMember): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(m.size);
    fs.readSync(fd, b, 0, m.size, m.offset);
    return b;
  } finally {
    fs.closeSync(fd);
  }
}

const MANIFEST_LINE = /^(SHA1|SHA256|SHA512)\(([^)]+)\)= ([0-9a-f]+)$/;

/** Checks manifest text against the members' SHA-256 digests. */
export function checkManifest(mfName: string, text: string, digests: Map<string, string>): OvaFinding[] {
  const out: OvaFinding[] = [];
  const listed = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const where = `${mfName}:${i + 1}`;
    const m = MANIFEST_LINE.exec(line);
    if (!m) {
      out.push({ importer: 'VMware', where, message: `"${line}" is not a manifest line; ESXi and ovftool read exactly "SHA256(name)= hex" (no other spaces).` });
      return;
    }
    const [, algo, name, hex] = m;
    listed.add(name);
    if (!digests.has(name)) out.push({ importer: BOTH, where, message: `The manifest lists ${name}, which is not in the OVA.` });
    else if (algo === 'SHA256' && digests.get(name) !== hex) out.push({ importer: BOTH, where, message: `The SHA256 digest of ${name} does not match the file (import fails its integrity check).` });
  });
  for (const name of digests.keys()) if (!listed.has(name)) out.push({ importer: 'VMware', where: mfName, message: `${name} is not in the manifest; ovftool refuses a file the manifest does not cover.` });
  return out;
}

function children(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === local) out.push(c as Element);
  return out;
}

function descendants(el: Element | Document, ns: string, local: string): Element[] {
  return Array.from(el.getElementsByTagNameNS(ns, local));
}

const text = (el: Element | undefined) => el?.textContent?.trim() ?? '';
const lineOf = (el: Element) => (el as unknown as { lineNumber?: number }).lineNumber ?? 0;

/** The descriptor's own rules: references, capacities, controllers, NICs, system type, OS id. */
export function checkDescriptor(ovfName: string, xmlText: string, members: Map<string, TarMember>, vmdkCapacity: (name: string) => number | null): OvaFinding[] {
  const out: OvaFinding[] = [];
  const parseErrors: string[] = [];
  // locator: elements carry lineNumber, so findings point at the line.
  const doc = new DOMParser({ locator: {}, errorHandler: { warning: () => {}, error: (m: string) => void parseErrors.push(m), fatalError: (m: string) => void parseErrors.push(m) } }).parseFromString(xmlText, 'text/xml');
  if (parseErrors.length > 0 || !doc.documentElement) return out; // xmllint reports well-formedness, with lines
  const at = (el: Element) => `${ovfName}:${lineOf(el)}`;
  const attr = (el: Element, name: string) => el.getAttributeNS(OVF_NS, name) || el.getAttribute(`ovf:${name}`) || '';

  const files = new Map<string, Element>();
  for (const f of descendants(doc, OVF_NS, 'File')) {
    const id = attr(f, 'id');
    const href = attr(f, 'href');
    files.set(id, f);
    const m = members.get(href);
    if (!m) out.push({ importer: BOTH, where: at(f), message: `File ${id} refers to ${href}, which is not in the OVA.` });
    else if (attr(f, 'size') && Number(attr(f, 'size')) !== m.size) out.push({ importer: BOTH, where: at(f), message: `File ${id} says ovf:size=${attr(f, 'size')} but ${href} holds ${m.size} bytes.` });
  }
  const disks = new Map<string, Element>();
  for (const d of descendants(doc, OVF_NS, 'Disk')) {
    const id = attr(d, 'diskId');
    disks.set(id, d);
    for (const need of ['diskId', 'capacity', 'format']) {
      if (!attr(d, need)) out.push({ importer: 'VirtualBox', where: at(d), message: `Disk ${id || '(no id)'} has no ovf:${need}; VirtualBox's OVF reader requires it.` });
    }
    const ref = attr(d, 'fileRef');
    const f = files.get(ref);
    if (ref && !f) out.push({ importer: BOTH, where: at(d), message: `Disk ${id} refers to file ${ref}, which References does not list.` });
    const cap = Number(attr(d, 'capacity'));
    const units = attr(d, 'capacityAllocationUnits') || 'byte';
    if (units !== 'byte') continue;
    const real = f ? vmdkCapacity(attr(f, 'href')) : null;
    if (!Number.isFinite(cap) || cap <= 0) out.push({ importer: BOTH, where: at(d), message: `Disk ${id} capacity "${attr(d, 'capacity')}" is not a size in bytes.` });
    else if (real !== null && real !== cap) out.push({ importer: BOTH, where: at(d), message: `Disk ${id} declares ${cap} bytes but its vmdk holds ${real}; the importer sizes the disk from the OVF.` });
  }

  const types = descendants(doc, VSSD_NS, 'VirtualSystemType').map(text);
  if (types.length > 0 && !types.some((t) => /(^|\s)vmx-\d+/.test(t))) {
    out.push({ importer: 'VMware', where: ovfName, message: `VirtualSystemType "${types.join(' ')}" names no vmx-NN hardware family; ESXi refuses the OVF.` });
  }
  for (const os of descendants(doc, OVF_NS, 'OperatingSystemSection')) {
    if (!/^\d+$/.test(attr(os, 'id'))) out.push({ importer: 'VirtualBox', where: at(os), message: `OperatingSystemSection ovf:id "${attr(os, 'id')}" is not a CIM OS number (101 = Linux 64-bit).` });
  }

  const items = descendants(doc, OVF_NS, 'Item');
  const byId = new Map(items.map((it) => [text(children(it, RASD_NS, 'InstanceID')[0]), it]));
  for (const it of items) {
    const type = text(children(it, RASD_NS, 'ResourceType')[0]);
    const sub = text(children(it, RASD_NS, 'ResourceSubType')[0]);
    const name = text(children(it, RASD_NS, 'ElementName')[0]) || `Item ${text(children(it, RASD_NS, 'InstanceID')[0])}`;
    const required = it.getAttributeNS(OVF_NS, 'required') !== 'false';
    if (type === '5' && /piix4/i.test(sub)) {
      out.push({ importer: 'VMware', where: at(it), message: `${name}: an IDE controller with ResourceSubType "${sub}" is refused by ESXi (VALUE_ILLEGAL) and its disks with it; leave the subtype empty (VirtualBox then uses PIIX4).` });
    }
    if (type === '6' && /virtualscsi/i.test(sub)) out.push({ importer: 'VMware', where: at(it), message: `${name}: VMware Workstation refuses a VirtualSCSI controller; use lsilogic or pvscsi (VirtualBox maps SCSI to LsiLogic).` });
    if (type === '10') {
      for (const imp of ['VirtualBox', 'VMware'] as const) {
        if (sub && !NIC_SUBTYPES[imp].includes(sub.toLowerCase())) out.push({ importer: imp, where: at(it), message: `${name}: network card "${sub}" is not one ${imp} maps (${NIC_SUBTYPES[imp].join(', ')}).` });
      }
    }
    if (type === '21' && required) out.push({ importer: 'VirtualBox', where: at(it), message: `${name}: a required serial port Item; VirtualBox fails the import on it (mark it ovf:required="false" or drop it).` });
    if (type === '4') {
      const units = text(children(it, RASD_NS, 'AllocationUnits')[0]);
      if (units && !/^(byte \* 2\^20|MegaBytes|MB)$/i.test(units)) out.push({ importer: 'VirtualBox', where: at(it), message: `${name}: memory in "${units}"; VirtualBox reads "byte * 2^20" or MB.` });
    }
    if (type === '17') {
      const parent = text(children(it, RASD_NS, 'Parent')[0]);
      const ctrl = byId.get(parent);
      const ctrlType = ctrl ? text(children(ctrl, RASD_NS, 'ResourceType')[0]) : '';
      if (!ctrl || !['5', '6', '20'].includes(ctrlType)) out.push({ importer: BOTH, where: at(it), message: `${name}: its Parent ${parent || '(none)'} is not an IDE, SCSI or SATA controller Item.` });
      const host = text(children(it, RASD_NS, 'HostResource')[0]);
      const m = /^ovf:\/disk\/(.+)$/.exec(host);
      if (!m || !disks.has(m[1])) out.push({ importer: BOTH, where: at(it), message: `${name}: HostResource "${host}" names no Disk of the DiskSection.` });
    }
  }
  return out;
}

/** The capacity a streamOptimized vmdk member declares (header sectors × 512), or null. */
function vmdkCapacityOf(file: string, m: TarMember | undefined): number | null {
  if (!m || m.size < 512) return null;
  const b = readMember(file, { ...m, size: 512 });
  return b.toString('latin1', 0, 4) === 'KDMV' ? Number(b.readBigUInt64LE(12)) * 512 : null;
}

/**
 * Lints the OVA at `file`; [] when both importers should take it. `digests`: the members'
 * SHA-256 as the writer computed them (the build passes them, so gigabytes of disks are not read
 * again); otherwise each member is hashed here.
 */
export async function lintOva(file: string, opts: { signal?: AbortSignal; digests?: Map<string, string> } = {}): Promise<OvaFinding[]> {
  const base = path.basename(file);
  let members: TarMember[];
  try {
    members = readTarIndex(file);
  } catch (e) {
    if (e instanceof TarFormatError) return [{ importer: BOTH, where: base, message: e.message }];
    throw e;
  }
  const out: OvaFinding[] = [];
  const byName = new Map(members.map((m) => [m.name, m]));
  for (const m of members) if (m.type !== '0') out.push({ importer: BOTH, where: m.name, message: `Member ${m.name} is not a regular file (tar type "${m.type}").` });

  // Order: VirtualBox reads the OVA as a forward-only stream.
  const ovfs = members.filter((m) => m.name.endsWith('.ovf'));
  if (ovfs.length !== 1) return [...out, { importer: BOTH, where: base, message: `The OVA holds ${ovfs.length} .ovf descriptors; it must hold exactly one.` }];
  const ovf = ovfs[0];
  if (members[0] !== ovf) out.push({ importer: BOTH, where: ovf.name, message: `The descriptor is member ${members.indexOf(ovf) + 1}; it must come first (VirtualBox and ovftool read the OVA as a stream).` });
  const mfIndex = members.findIndex((m) => m.name.endsWith('.mf'));
  const certIndex = members.findIndex((m) => m.name.endsWith('.cert'));
  if (mfIndex >= 0) {
    const trailing = certIndex === members.length - 1 ? members.length - 2 : members.length - 1;
    if (mfIndex !== 1 && mfIndex !== trailing) out.push({ importer: 'VirtualBox', where: members[mfIndex].name, message: 'The manifest must follow the descriptor or close the OVA (before any .cert); VirtualBox reads it only there.' });
    if (certIndex >= 0 && certIndex < mfIndex) out.push({ importer: BOTH, where: members[certIndex].name, message: 'The certificate comes before the manifest it signs.' });
  }

  const xmlText = readMember(file, ovf).toString('utf8');
  const refs = [...xmlText.matchAll(/<File\b[^>]*\bovf:href="([^"]+)"/g)].map((m) => m[1]);
  const diskMembers = members.filter((m) => refs.includes(m.name));
  const order = diskMembers.map((m) => m.name);
  if (order.join('\0') !== refs.filter((r) => byName.has(r)).join('\0')) out.push({ importer: 'VirtualBox', where: base, message: `The disks are stored as ${order.join(', ')} but References lists ${refs.join(', ')}; a stream reader needs them in References order.` });

  // Schema and well-formedness.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-lint-'));
  try {
    const ovfFile = path.join(tmp, ovf.name.replace(/[^\w.-]/g, '_'));
    fs.writeFileSync(ovfFile, xmlText);
    for (const e of await xmllintValidate(ovfSchemaPath(), ovfFile, { signal: opts.signal })) {
      out.push({ importer: BOTH, where: `${ovf.name}:${e.line}`, message: `Not valid OVF 1.0 (DSP8023): ${e.message}` });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  out.push(...checkDescriptor(ovf.name, xmlText, byName, (name) => vmdkCapacityOf(file, byName.get(name))));

  // Digests, and vmdks that end at their end-of-stream marker.
  const digests = new Map<string, string>();
  for (const m of members) if (!m.name.endsWith('.mf') && !m.name.endsWith('.cert')) digests.set(m.name, opts.digests?.get(m.name) ?? (await hashRange(file, m)));
  if (mfIndex >= 0) {
    const mf = members[mfIndex];
    out.push(...checkManifest(mf.name, readMember(file, mf).toString('utf8'), digests));
  } else out.push({ importer: 'VMware', where: base, message: 'The OVA has no manifest (.mf); ovftool warns and ESXi cannot check the files.' });
  const fd = fs.openSync(file, 'r');
  try {
    for (const m of diskMembers.filter((d) => d.name.endsWith('.vmdk'))) {
      const s = vmdkStreamEndAt(fd, m.offset, m.size);
      if (s === null) out.push({ importer: BOTH, where: m.name, message: 'Not a streamOptimized vmdk (no KDMV header, or grain markers that run past its end).' });
      else if (!s.marker) out.push({ importer: 'VMware', where: m.name, message: 'The vmdk has no end-of-stream marker; VMware\'s stream reader expects one.' });
      else if (s.end !== m.size) out.push({ importer: 'VMware', where: m.name, message: `${m.size - s.end} bytes follow the vmdk's end-of-stream marker; VMware Workstation/ovftool report such files as not matching the manifest. End the file at the marker.` });
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export function formatFinding(f: OvaFinding): string {
  return `${f.where}: ${f.message} [breaks: ${f.importer}]`;
}
