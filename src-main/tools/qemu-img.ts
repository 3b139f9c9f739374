import { runTool } from './run';

/** qemu-img's output driver and its options (build/formats.ts holds them for each format). */
export interface QemuImgTarget {
  driver: string;
  options: readonly string[];
}

/** `qemu-img convert` from a raw disk into `target`. */
export function qemuImgConvertArgs(input: string, output: string, target: QemuImgTarget): string[] {
  return ['convert', '-q', '-f', 'raw', '-O', target.driver, ...target.options, input, output];
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
  const r = await runTool({ tool: 'qemu-img', argv: qemuImgMapArgs(image), signal: opts.signal, timeoutMs: 60_000 });
  return (JSON.parse(r.stdout) as MapExtent[]).map((e) => ({ start: e.start, length: e.length, zero: e.zero }));
}

export async function qemuImgConvert(input: string, output: string, target: QemuImgTarget, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'qemu-img', argv: qemuImgConvertArgs(input, output, target), signal: opts.signal, timeoutMs: 600_000 });
}

export interface QemuImgInfo {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
}

export async function qemuImgInfo(image: string, format?: string, opts: { signal?: AbortSignal } = {}): Promise<QemuImgInfo> {
  const r = await runTool({ tool: 'qemu-img', argv: qemuImgInfoArgs(image, format), signal: opts.signal, timeoutMs: 60_000 });
  return JSON.parse(r.stdout) as QemuImgInfo;
}

export async function qemuImgVersion(): Promise<string> {
  const r = await runTool({ tool: 'qemu-img', argv: ['--version'], timeoutMs: 10_000 });
  return r.stdout.split('\n')[0].trim();
}

/** Any image qemu-img reads, as a sparse raw file (a customer's exported data disk, say). */
export function qemuImgToRawArgs(input: string, inputFormat: string, output: string): string[] {
  return ['convert', '-q', '-f', inputFormat, '-O', 'raw', '-S', '4k', input, output];
}

export async function qemuImgToRaw(input: string, inputFormat: string, output: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'qemu-img', aptPackage: 'qemu-utils', argv: qemuImgToRawArgs(input, inputFormat, output), signal: opts.signal, timeoutMs: 600_000 });
}
