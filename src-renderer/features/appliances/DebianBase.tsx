import { useState } from 'react';
import type { ApplianceSummary, Res } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';

type Debian = NonNullable<ApplianceSummary['debian']>;
type Preview = Res<'debian.refreshPreview'>;

/**
 * A Debian base at a glance, and what `yoke build --refresh` would change in appliance.lock: the
 * archive's versions today for every locked package (asked for, since it reads Debian's archive).
 */
export function DebianBase({ dir, debian }: { dir: string; debian: Debian }) {
  const [state, setState] = useState<{ status: 'idle' | 'busy' } | { status: 'done'; value: Preview } | { status: 'error'; message: string }>({ status: 'idle' });
  const check = async () => {
    setState({ status: 'busy' });
    const r = await invoke('debian.refreshPreview', { dir });
    setState(r.ok ? { status: 'done', value: r.value } : { status: 'error', message: r.error.message });
  };
  return (
    <section aria-label="Debian base" className="subsection">
      <h3>Debian base</h3>
      <p>
        Debian {debian.release}: <span className="mono">{debian.packages.join(', ') || '(the essential set only)'}</span>
        {debian.state.length ? (
          <>
            {' '}
            · state on the data disk: <span className="mono">{debian.state.join(', ')}</span>
          </>
        ) : null}
      </p>
      <p className="muted">
        {debian.locked === null ? 'No appliance.lock yet: the first build resolves the packages and writes it.' : `appliance.lock pins ${debian.locked} packages.`}
      </p>
      {debian.locked !== null ? (
        <div>
          <button type="button" className="button" onClick={() => void check()} disabled={state.status === 'busy'}>
            {state.status === 'busy' ? 'Reading Debian’s archive…' : 'What would a refresh change?'}
          </button>
        </div>
      ) : null}
      {state.status === 'error' ? <ErrorNotice title="Could not check for a refresh">{state.message}</ErrorNotice> : null}
      {state.status === 'done' ? <RefreshChanges p={state.value} /> : null}
    </section>
  );
}

function RefreshChanges({ p }: { p: Preview }) {
  if (!p.changes.length) {
    return (
      <p role="status">
        Up to date: Debian {p.release} still offers all {p.locked} locked versions; a refresh would change nothing it pins.
      </p>
    );
  }
  return (
    <>
      <p role="status">
        A refresh (<span className="mono">yoke build --refresh</span>) would change {p.changes.length} of {p.locked} locked packages; {p.unchanged} stay. New dependencies, if any, show after it resolves.
      </p>
      <table className="grid" aria-label="What a refresh would change">
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Change</th>
            <th scope="col">Locked</th>
            <th scope="col">Archive now</th>
          </tr>
        </thead>
        <tbody>
          {p.changes.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td>{c.change === 'removed' ? 'gone from the archive' : c.change}</td>
              <td className="mono">{c.versionA ?? '—'}</td>
              <td className="mono">{c.versionB ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
