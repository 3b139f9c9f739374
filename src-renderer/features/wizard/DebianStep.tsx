import { useEffect, useId, useState } from 'react';
import { invoke } from '../../api/client';
import type { StepProps } from './WizardSteps';
import { Field } from './Field';

/** The releases the engine builds (src-main/spec/types.ts DEBIAN_RELEASES; the renderer may not import it). */
const RELEASES = [{ id: 'bookworm', label: 'bookworm (Debian 12)' }];

/**
 * Search the package names of Yoke's kept index as the person types (debian.packages). Before any
 * Debian build on this machine there is no index: names are added as typed, and the first build
 * checks them against the archive.
 */
function usePackageSearch(release: string, query: string): { indexed: boolean | null; total: number; names: string[] } {
  const [r, setR] = useState<{ indexed: boolean | null; total: number; names: string[] }>({ indexed: null, total: 0, names: [] });
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      void invoke('debian.packages', { release, query, limit: 12 }).then((x) => {
        if (live && x.ok) setR(x.value);
      });
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [release, query]);
  return r;
}

export function DebianStep({ a, e, set }: StepProps) {
  const [query, setQuery] = useState('');
  const found = usePackageSearch(a.release, query);
  const searchId = useId();
  const add = (name: string) => {
    const n = name.trim();
    if (n && !a.packages.includes(n)) set({ packages: [...a.packages, n] });
    setQuery('');
  };
  const typed = query.trim().toLowerCase();
  return (
    <>
      <label className="wz-field">
        <span>Debian release</span>
        <select value={a.release} onChange={(ev) => set({ release: ev.target.value })}>
          {RELEASES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="wz-group">
        <legend>Packages</legend>
        <p className="wz-hint">Installed with their dependencies by mmdebstrap; the first build pins every version in appliance.lock.</p>
        {e.packages ? (
          <p className="wz-error" role="alert">
            {e.packages}
          </p>
        ) : null}
        {a.packages.length ? (
          <ul className="wz-chips" aria-label="Chosen packages">
            {a.packages.map((p) => (
              <li key={p} className="wz-chip">
                <span className="mono">{p}</span>
                <button type="button" className="button tiny" aria-label={`Remove package ${p}`} title={`Remove ${p}`} onClick={() => set({ packages: a.packages.filter((x) => x !== p) })}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="wz-hint">No packages yet: the base is Debian's essential set only.</p>
        )}
        <div className="wz-field">
          <label htmlFor={searchId}>Search packages</label>
          <div className="wz-input-row">
            <input
              id={searchId}
              type="search"
              className="mono"
              value={query}
              spellCheck={false}
              placeholder="e.g. postgresql"
              aria-describedby={`${searchId}-note`}
              onChange={(ev) => setQuery(ev.target.value)}
              onKeyDown={(ev) => {
                // Enter adds the best match (or the name as typed) instead of moving to the next step.
                if (ev.key !== 'Enter') return;
                ev.preventDefault();
                if (typed) add(found.names[0] === typed || !found.indexed ? typed : (found.names[0] ?? typed));
              }}
            />
            <button type="button" className="button" disabled={!typed} onClick={() => add(typed)}>
              Add
            </button>
          </div>
          <p id={`${searchId}-note`} className="wz-hint">
            {found.indexed === false
              ? 'No Debian index is kept on this machine yet: type exact names; the first build checks them (and keeps the index for search).'
              : found.indexed
                ? `Searching the ${found.total.toLocaleString()} packages of Debian ${a.release} Yoke keeps.`
                : ' '}
          </p>
        </div>
        {typed && found.indexed ? (
          found.names.length ? (
            <ul className="wz-results" aria-label="Matching packages">
              {found.names.map((n) => (
                <li key={n}>
                  <button type="button" className="button small" disabled={a.packages.includes(n)} onClick={() => add(n)}>
                    Add <span className="mono">{n}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="wz-hint" role="status">
              No package of Debian {a.release} is named like “{query.trim()}”.
            </p>
          )
        ) : null}
      </fieldset>
      <Field
        label="State directories on the data disk"
        value={a.state}
        onChange={(state) => set({ state })}
        error={e.state}
        hint="Package state that must outlive upgrades, seeded from the image on first boot (e.g. /var/lib/postgresql). Separate several with spaces."
        mono
        width="wide"
      />
    </>
  );
}
