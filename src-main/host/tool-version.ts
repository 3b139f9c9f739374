import { toolSpec } from '../tools/catalogue';
import { runTool } from '../tools/run';

/** A tool's version from what it printed (stdout and stderr together), or undefined. */
export function parseVersion(tool: string, output: string): string | undefined {
  // The catalogue's pattern for the tool (resources/tools.json), else the first dotted number.
  const pattern = toolSpec(tool)?.versionPattern;
  const m = (pattern ? new RegExp(pattern).exec(output) : null) ?? /\b(\d+\.\d+(?:\.\d+)*)\b/.exec(output);
  return m?.[1];
}

/**
 * Runs the tool's version command with a short timeout; a tool that hangs or fails to answer
 * still counts as found (it exists), just without a version.
 */
export async function readToolVersion(tool: string, file: string, argv: string[], aptPackage: string, timeoutMs = 3000): Promise<string | undefined> {
  try {
    // Some tools (busybox without arguments, mkfs.vfat --help on old versions) exit 1 after printing.
    const r = await runTool({ tool: file, argv, aptPackage, timeoutMs, okExitCodes: [0, 1] });
    return parseVersion(tool, `${r.stdout}\n${r.stderr}`);
  } catch {
    return undefined;
  }
}
