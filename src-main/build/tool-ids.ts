import fs from 'node:fs';
import { buildToolNames, locateTool, toolSpec } from '../tools/catalogue';
import { ToolMissingError } from '../tools/run';

/**
 * A cheap identity for each tool (path, size, mtime): a tool upgrade changes it and so invalidates
 * the cached stages it made, without running a single `--version` on the warm path. Which tools:
 * resources/tools.json's entries marked build.
 */
export function toolIdentities(tools: string[] = buildToolNames()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tools) {
    const spec = toolSpec(t);
    const p = spec ? locateTool(spec) : null;
    if (!p) throw new ToolMissingError(t, spec?.aptPackage ?? t);
    const st = fs.statSync(p);
    out[t] = `${fs.realpathSync(p)}:${st.size}:${Math.floor(st.mtimeMs)}`;
  }
  return out;
}

export function fileIdentity(p: string): string {
  const st = fs.statSync(p);
  return `${p}:${st.size}:${Math.floor(st.mtimeMs)}`;
}
