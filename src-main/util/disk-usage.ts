import fs from 'node:fs';

/** Bytes a path really occupies on disk (sparse images count what is allocated). */
export function diskUsage(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.blocks * 512;
  let total = st.blocks * 512;
  for (const e of fs.readdirSync(p)) total += diskUsage(`${p}/${e}`);
  return total;
}
