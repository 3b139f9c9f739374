/** Builds and caches write nothing into the appliance folder, but editors and VCS do: ignore their droppings. */
export function isIgnoredChange(relPath: string | null): boolean {
  if (!relPath) return false;
  const parts = relPath.split(/[\\/]/);
  const base = parts[parts.length - 1];
  return parts.includes('.git') || parts.includes('node_modules') || /^\.#|~$|\.sw[px]$|^4913$/.test(base);
}
