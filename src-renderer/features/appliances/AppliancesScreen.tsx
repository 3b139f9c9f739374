import { useEffect, useState } from 'react';
import { invoke } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { formatTime } from '../../components/format';
import { useAppliance } from '../../stores/appliance';
import { useNavigation } from '../../stores/navigation';
import { useSession } from '../../stores/session';
import { ApplianceSummaryView } from './ApplianceSummaryView';
import { OpenFolderForm } from './OpenFolderForm';

export function AppliancesScreen() {
  const { summary, opening, error, recent, recentError, open, loadRecent } = useAppliance();
  const sample = useSession((s) => s.info?.sample ?? '');
  const [asking, setAsking] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const [buildError, setBuildError] = useState<string | null>(null);
  const go = useNavigation((s) => s.go);

  useEffect(() => void loadRecent(), [loadRecent]);

  const pick = async () => {
    setPickError(null);
    const r = await invoke('appliance.pickFolder', {});
    if (!r.ok) return setPickError(r.error.message);
    // No native dialog on this face: ask for the path instead.
    if (r.value.dir === null) return setAsking(true);
    setAsking(false);
    await open(r.value.dir);
  };

  // The build runs as a job: its progress shows in the status bar and the build in Builds.
  const build = async (dir: string) => {
    setBuildError(null);
    const r = await invoke('build.start', { dir });
    if (!r.ok) return setBuildError(r.error.message);
    go('builds');
  };

  return (
    <div className="screen">
      <ScreenHeader title="Appliances" subtitle="A folder with an appliance.yaml describes one appliance.">
        {summary?.valid ? (
          <button type="button" className="button" onClick={() => void build(summary.dir)}>
            Build {summary.name}
          </button>
        ) : null}
        <button type="button" className="button primary" onClick={() => void pick()} disabled={opening}>
          Open appliance…
        </button>
      </ScreenHeader>

      {asking ? (
        <OpenFolderForm
          initial={summary?.dir ?? sample}
          busy={opening}
          onOpen={(dir) => void open(dir)}
          onCancel={() => setAsking(false)}
        />
      ) : null}
      {pickError ? <ErrorNotice title="Could not show the folder dialog">{pickError}</ErrorNotice> : null}
      {error ? <ErrorNotice title="Could not open the appliance">{error}</ErrorNotice> : null}
      {buildError ? <ErrorNotice title="Could not start the build">{buildError}</ErrorNotice> : null}

      <div className="split">
        <section className="panel" aria-label="Open appliance">
          {summary ? (
            <ApplianceSummaryView summary={summary} />
          ) : (
            <EmptyState title="No appliance open">
              <p>Choose “Open appliance…” and pick a folder that holds an appliance.yaml.</p>
              {sample ? (
                <p>
                  Try the sample: <code className="mono">{sample}</code>
                </p>
              ) : null}
            </EmptyState>
          )}
        </section>

        <aside className="panel side" aria-labelledby="recent-heading">
          <h2 id="recent-heading" className="panel-title">
            Recent
          </h2>
          {recentError ? <p className="muted small">{recentError}</p> : null}
          {recent.length === 0 && !recentError ? <p className="muted small">Appliances you open appear here.</p> : null}
          <ul className="recent-list">
            {recent.map((r) => (
              <li key={r.dir}>
                <button type="button" className="recent-item" onClick={() => void open(r.dir)} title={r.dir} aria-label={`Open ${r.name} (${r.dir})`}>
                  <span className="recent-name">{r.name}</span>
                  <span className="recent-dir mono">{r.dir}</span>
                  <span className="recent-time">{formatTime(r.lastOpened)}</span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}
