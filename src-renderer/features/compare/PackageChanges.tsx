import type { BuildComparison } from '../../../src-main/api/contract';

type Packages = NonNullable<BuildComparison['packages']>;

const ORDER: Record<Packages['changes'][number]['change'], number> = { added: 0, removed: 1, upgraded: 2, downgraded: 3 };

/** The Debian packages two builds installed (their appliance.lock files), as builder-web lists them. */
export function PackageChanges({ c, packages }: { c: BuildComparison; packages: Packages }) {
  const { a, b } = packages.release;
  const count = (k: keyof typeof ORDER) => packages.changes.filter((p) => p.change === k).length;
  const summary = (['added', 'removed', 'upgraded', 'downgraded'] as const)
    .map((k) => [k, count(k)] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return (
    <>
      <p className="muted small">
        {a !== b ? `Debian ${a ?? '— (no Debian base)'} → ${b ?? '— (no Debian base)'} · ` : `Debian ${a} · `}
        {summary.length ? summary.join(' · ') : 'no package changed'} · {packages.unchanged.toLocaleString()} the same
      </p>
      {packages.changes.length ? (
        // Focusable: a scrolled region must be reachable by keyboard (axe: scrollable-region-focusable).
        <div className="cmp-scroll" tabIndex={0} role="region" aria-label="Package changes, scrollable">
          <table className="grid cmp-table" aria-label="Package changes">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Change</th>
                <th scope="col">#{c.a.build.id}</th>
                <th scope="col">#{c.b.build.id}</th>
              </tr>
            </thead>
            <tbody>
              {[...packages.changes]
                .sort((x, y) => ORDER[x.change] - ORDER[y.change] || x.name.localeCompare(y.name))
                .map((p) => (
                  <tr key={p.name}>
                    <td className="mono">{p.name}</td>
                    <td>
                      <span className={`cmp-change cmp-${p.change}`}>{p.change}</span>
                    </td>
                    <td className="mono">{p.versionA ?? '—'}</td>
                    <td className="mono">{p.versionB ?? '—'}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
