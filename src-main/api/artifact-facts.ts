import fs from 'node:fs';
import path from 'node:path';
import type { BuildDetail } from './contract';
import { diskUsage } from '../util/disk-usage';

/**
 * What the build screen shows of its files beyond the stored rows: the bytes each really
 * occupies (disk images are sparse: a 1 GiB data disk may hold a few MB), and the flavour a
 * data disk was made for, which build.json in the build folder records.
 */
export function withArtifactFacts(detail: BuildDetail, buildDir: string | null): BuildDetail {
  const flavours = new Map<string, string>();
  if (buildDir) {
    try {
      const json = JSON.parse(fs.readFileSync(path.join(buildDir, 'build.json'), 'utf8')) as { artifacts?: { path: string; flavour?: string }[] };
      for (const a of json.artifacts ?? []) if (a.flavour) flavours.set(a.path, a.flavour);
    } catch {
      // No build.json (a failed or older build): no flavour names, nothing else is lost.
    }
  }
  let used = 0;
  const artifacts = detail.artifacts.map((a) => {
    const usedBytes = fs.existsSync(a.path) ? diskUsage(a.path) : undefined;
    used += usedBytes ?? 0;
    const flavour = flavours.get(a.path);
    return { ...a, ...(usedBytes !== undefined ? { usedBytes } : {}), ...(flavour ? { flavour } : {}) };
  });
  // No artifact rows (a failed build, a record without files): keep what the build recorded.
  return { ...detail, artifacts, ...(detail.artifacts.length > 0 ? { usedBytes: used } : {}) };
}
