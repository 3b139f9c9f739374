// The one tool catalogue (resources/tools.json) as typed data: the tool runner names a missing
// program's package from it, the build takes its tools' identities from it, the doctor checks
// it, and scripts/setup.sh installs its packages. JSON, because setup reads it before npm ci.
import fs from 'node:fs';
import data from '../../resources/tools.json';
import { findExecutable } from './find-executable';

export interface ToolSpec {
  name: string;
  aptPackage: string;
  purpose: string;
  /** argv that makes the tool print its version (and nothing else harmful). */
  versionArgv?: string[];
  /** A regular expression whose first group is the version in what versionArgv printed. */
  versionPattern?: string;
  /** The only places the file may be (it is not looked up on PATH). */
  fixedPath?: string[];
  /** The file must be an ELF with no program interpreter: it runs inside the guest. */
  mustBeStatic?: boolean;
  /** Part of every Debian system: the doctor does not report it and setup does not install it. */
  essential?: boolean;
  /** Its identity (path, size, mtime) is part of every build's cache key. */
  build?: boolean;
  /** Needed only for this (a Debian base, say): the doctor lists it but a machine is ready without it. */
  optional?: string;
}

export const TOOL_CATALOGUE: readonly ToolSpec[] = data.tools;

/** Packages setup installs beyond the tools' own: the compilers of the guest's update helpers. */
export const SETUP_PACKAGES: readonly { aptPackage: string; purpose: string }[] = data.setup;

/** The catalogue's entry for a program, by name or by path (/bin/busybox is busybox). */
export function toolSpec(tool: string): ToolSpec | undefined {
  const name = tool.includes('/') ? tool.slice(tool.lastIndexOf('/') + 1) : tool;
  return TOOL_CATALOGUE.find((t) => t.name === name);
}

/** The Debian package that provides a program (its own name when the catalogue lacks it). */
export function aptPackageOf(tool: string): string {
  return toolSpec(tool)?.aptPackage ?? tool;
}

/** Where a catalogued program or file is on this machine, by its search rule, or null. */
export function locateTool(t: ToolSpec, pathEnv: string | undefined = process.env.PATH): string | null {
  if (!t.fixedPath) return findExecutable(t.name, pathEnv);
  return (
    t.fixedPath.find((p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** The one place a fixed-path file must be, for the wrappers that use it (e.g. /bin/busybox). */
export function fixedPathsOf(name: string): string[] {
  const t = toolSpec(name);
  if (!t?.fixedPath) throw new Error(`resources/tools.json has no fixedPath for ${name}`);
  return t.fixedPath;
}

/** The programs whose identities key the build cache. */
export function buildToolNames(): string[] {
  return TOOL_CATALOGUE.filter((t) => t.build).map((t) => t.name);
}
