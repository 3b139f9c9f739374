/** Builds and caches write nothing into the appliance folder, but editors and VCS do: ignore their droppings. */
export function isIgnoredChange(relPath: string | null): boolean {
  if (!relPath) return false;
  const parts = relPath.split(/[\\/]/);
  const base = parts[parts.length - 1];
  // A build writes appliance.pub and appliance.lock beside appliance.yaml: not an edit to react to.
  if (parts.length === 1 && (base === 'appliance.pub' || base === 'appliance.lock')) return true;
  return parts.includes('.git') || parts.includes('node_modules') || /^\.#|~$|\.sw[px]$|^4913$/.test(base);
}
