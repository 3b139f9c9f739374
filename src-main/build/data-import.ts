// A customer's data disk, as a hypervisor exports it (raw, qcow2, vmdk — streamOptimized too —,
// vhd, vdi) or as a tar(.zst) of the data tree, turned into the raw ext4 image a test VM attaches.
// Yoke only ever reads the user's file: every VM gets its own converted copy.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { EngineError } from '../api/errors';
import { qemuImgInfo, qemuImgToRaw } from '../tools/qemu-img';
import { zstdDecompress } from '../tools/zstd';
import { buildDataDisk, uuidFromHex } from './datadisk';
import { DEFAULT_EPOCH } from './stages';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

function head(file: string, bytes: number, at = 0): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(bytes);
    const n = fs.readSync(fd, b, 0, bytes, at);
    return b.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A fixed VHD is a raw disk with a 512-byte footer ("conectix"): qemu-img calls it raw unless told. */
function isFixedVhd(file: string): boolean {
  const size = fs.statSync(file).size;
  return size >= 512 && head(file, 8, size - 512).toString('latin1') === 'conectix';
}

function isTar(b: Buffer): boolean {
  return b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

/** ext2/3/4 keep their superblock magic 0xEF53 at byte 1080 of the filesystem. */
export function hasExtFilesystem(raw: string): boolean {
  const b = head(raw, 2, 1080);
  return b.length === 2 && b.readUInt16LE(0) === 0xef53;
}

async function untar(tarFile: string, dest: string): Promise<number> {
  let bytes = 0;
  const x = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (h, stream, next) => {
      const name = path.posix.normalize(h.name).replace(/^(\.\/)+|^\/+/, '');
      if (name === '' || name === '.' || name.startsWith('../') || name === '..') {
        stream.resume();
        return next();
      }
      const target = path.join(dest, name);
      if (h.type === 'directory') {
        fs.mkdirSync(target, { recursive: true, mode: h.mode });
        stream.resume();
        next();
      } else if (h.type === 'file') {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const out = fs.createWriteStream(target, { mode: h.mode });
        stream.pipe(out);
        out.on('finish', () => {
          bytes += h.size ?? 0;
          next();
        });
        out.on('error', reject);
      } else if (h.type === 'symlink' && h.linkname) {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.symlinkSync(h.linkname, target);
        stream.resume();
        next();
      } else {
        stream.resume();
        next();
      }
    });
    x.on('finish', resolve);
    x.on('error', reject);
  });
  fs.createReadStream(tarFile).on('error', (e) => x.destroy(e)).pipe(x);
  await done;
  return bytes;
}

export interface DataImport {
  format: string;
  /** The raw image the VM attaches. */
  raw: string;
}

/**
 * Converts `file` into `out` (a new raw image). A disk image must hold an ext filesystem at its
 * start (the appliance mounts the whole disk by label); a tar becomes a fresh ext4 disk with the
 * spec's label, at least `sizeBytes` large.
 */
export async function importDataDisk(file: string, out: string, o: { label: string; sizeBytes: number; signal?: AbortSignal }): Promise<DataImport> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new EngineError('invalid-request', `--data ${file}: no such file. Give the data disk a hypervisor exported (raw, qcow2, vmdk, vhd, vdi) or a tar(.zst) of the data.`);
  }
  if (!st.isFile()) throw new EngineError('invalid-request', `--data ${file}: not a file.`);
  if (st.size < 2048) throw new EngineError('invalid-request', `--data ${file}: ${st.size} bytes is too small to be a data disk or a tar of one.`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const magic = head(file, 512);
  if (magic.subarray(0, 4).equals(ZSTD_MAGIC) || isTar(magic)) {
    const work = fs.mkdtempSync(path.join(path.dirname(out), '.data-import-'));
    try {
      let tarFile = file;
      if (magic.subarray(0, 4).equals(ZSTD_MAGIC)) {
        tarFile = path.join(work, 'data.tar');
        await zstdDecompress(file, tarFile, { signal: o.signal });
        if (!isTar(head(tarFile, 512))) throw new EngineError('invalid-request', `--data ${file}: a zstd file that does not hold a tar. Give a .tar, a .tar.zst or a disk image.`);
      }
      const tree = path.join(work, 'tree');
      fs.mkdirSync(tree);
      const bytes = await untar(tarFile, tree);
      const size = Math.max(o.sizeBytes, Math.ceil((bytes * 1.5 + 16 * 1048576) / 1048576) * 1048576);
      await buildDataDisk({ out, sizeBytes: size, label: o.label, uuid: uuidFromHex('da7a'), epoch: DEFAULT_EPOCH, seedDir: tree, signal: o.signal });
      return { format: 'tar', raw: out };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const format = isFixedVhd(file) ? 'vpc' : (await qemuImgInfo(file, undefined, { signal: o.signal }).catch(() => null))?.format;
  if (!format) throw new EngineError('invalid-request', `--data ${file}: not a disk image qemu-img can read, nor a tar.`);
  try {
    await qemuImgToRaw(file, format, out, { signal: o.signal });
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw new EngineError('invalid-request', `--data ${file}: could not read it as ${format}: ${(e as Error).message}`);
  }
  if (!hasExtFilesystem(out)) {
    fs.rmSync(out, { force: true });
    throw new EngineError(
      'invalid-request',
      `--data ${file}: the ${format} disk holds no ext2/3/4 filesystem at its start. Yoke attaches the data disk whole, as the appliance's fstab mounts it: give the data disk itself, not the OS disk or a partitioned disk.`,
    );
  }
  return { format: format === 'vpc' ? 'vhd' : format, raw: out };
}
