import { runTool } from './run';

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vhd' | 'vdi';

/** qemu-img's name for each format and the options that make the output portable. */
export function qemuImgConvertArgs(input: string, output: string, format: DiskFormat): string[] {
  const args = ['convert', '-q', '-f', 'raw'];
  switch (format) {
    case 'raw':
      args.push('-O', 'raw', '-S', '4k');
      break;
    case 'qcow2':
      args.push('-O', 'qcow2', '-o', 'compat=1.1');
      break;
    case 'vmdk':
      // streamOptimized is what OVF importers expect (compressed grains, readable as a stream).
      args.push('-O', 'vmdk', '-o', 'subformat=streamOptimized');
      break;
    case 'vhd':
      // Azure and Hyper-V want fixed VHDs whose size is exactly the disk size.
      args.push('-O', 'vpc', '-o', 'subformat=fixed,force_size=on');
      break;
    case 'vdi':
      args.push('-O', 'vdi', '-o', 'static=off');
      break;
  }
  args.push(input, output);
  return args;
}

export function qemuImgInfoArgs(image: string, format?: string): string[] {
  return ['info', '--output=json', ...(format ? ['-f', format] : []), image];
}

/** Where a raw file holds data and where it reads as zeros (found with SEEK_DATA/SEEK_HOLE). */
export function qemuImgMapArgs(image: string): string[] {
  return ['map', '-f', 'raw', '--output=json', image];
}

export interface MapExtent {
  start: number;
  length: number;
  /** The range reads as zeros (a hole). */
  zero: boolean;
}

export async function qemuImgMap(image: string, opts: { signal?: AbortSignal } = {}): Promise<MapExtent[]> {
  const r = await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: qemuImgMapArgs(image), signal: opts.signal, timeoutMs: 60_000 });
  return (JSON.parse(r.stdout) as MapExtent[]).map((e) => ({ start: e.start, length: e.length, zero: e.zero }));
}

export async function qemuImgConvert(input: string, output: string, format: DiskFormat, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: qemuImgConvertArgs(input, output, format), signal: opts.signal, timeoutMs: 600_000 });
}

export interface QemuImgInfo {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
}

export async function qemuImgInfo(image: string, format?: string, opts: { signal?: AbortSignal } = {}): Promise<QemuImgInfo> {
  const r = await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: qemuImgInfoArgs(image, format), signal: opts.signal, timeoutMs: 60_000 });
  return JSON.parse(r.stdout) as QemuImgInfo;
}

export async function qemuImgVersion(): Promise<string> {
  const r = await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: ['--version'], timeoutMs: 10_000 });
  return r.stdout.split('\n')[0].trim();
}

/** Any image qemu-img reads, as a sparse raw file (a customer's exported data disk, say). */
export function qemuImgToRawArgs(input: string, inputFormat: string, output: string): string[] {
  return ['convert', '-q', '-f', inputFormat, '-O', 'raw', '-S', '4k', input, output];
}

export async function qemuImgToRaw(input: string, inputFormat: string, output: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: qemuImgToRawArgs(input, inputFormat, output), signal: opts.signal, timeoutMs: 600_000 });
}
