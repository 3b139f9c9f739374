/** The Debian packages providing the missing tools, once each, in catalogue order. */
export function missingPackages(tools: readonly { found: boolean; aptPackage: string }[]): string[] {
  const out: string[] = [];
  for (const t of tools) if (!t.found && !out.includes(t.aptPackage)) out.push(t.aptPackage);
  return out;
}

/** The exact command that installs them: sudo only when not already root. */
export function aptInstallCommand(packages: readonly string[], isRoot: boolean): string | undefined {
  if (packages.length === 0) return undefined;
  return `${isRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
}

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
