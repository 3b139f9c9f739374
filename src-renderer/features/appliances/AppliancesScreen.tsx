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
import { BuildActions, BuildView } from '../build/BuildView';
import { NewApplianceDialog } from '../wizard/NewApplianceDialog';
import { useBuildOnSave } from './build-on-save';
import { onTabListKey } from '../../components/tab-keys';
import { usePresent } from '../present/present-store';
import { LivePanel } from '../live/LivePanel';
import { useLive } from '../live/live-store';

export function AppliancesScreen() {
  const { summary, opening, error, recent, recentError, open, loadRecent } = useAppliance();
  const sample = useSession((s) => s.info?.sample ?? '');
  const [asking, setAsking] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const [presentError, setPresentError] = useState<string | null>(null);
  const tab = useNavigation((s) => s.applianceTab);
  const showTab = useNavigation((s) => s.showApplianceTab);
  const buildOnSave = useBuildOnSave();
  const [creating, setCreating] = useState(false);
  const live = useLive();
  const liveOn = !!summary && live.dir === summary.dir && (live.status === 'starting' || live.status === 'running');

  useEffect(() => void loadRecent(), [loadRecent]);

  const presentLatest = async (name: string, version: string) => {
    setPickError(null);
    const r = await invoke('builds.list', { appliance: name, limit: 50 });
    const latest = r.ok ? (r.value.find((b) => b.status === 'succeeded' && b.version === version) ?? r.value.find((b) => b.status === 'succeeded')) : undefined;
    if (!latest) return setPresentError(r.ok ? `${name} has no successful build yet: press Build first.` : r.error.message);
    setPresentError(null);
    await usePresent.getState().start(latest.id, `${latest.appliance} ${latest.version}`);
  };
  const pick = async () => {
    setPickError(null);
    const r = await invoke('appliance.pickFolder', {});
    if (!r.ok) return setPickError(r.error.message);
    // No native dialog on this face: ask for the path instead.
    if (r.value.dir === null) return setAsking(true);
    setAsking(false);
    await open(r.value.dir);
  };

  // The Build & test view's panes (stages and checks, the log) scroll on their own: the screen
  // fills the content area instead of scrolling it, so no scroll area sits inside another.
  const fill = Boolean(summary?.valid && tab === 'build');
  return (
    <div className={fill ? 'screen screen-fill' : 'screen'}>
      <ScreenHeader title="Appliances" subtitle="A folder with an appliance.yaml describes one appliance.">
        {summary?.valid ? <BuildActions summary={summary} onStart={() => showTab('build')} /> : null}
        {summary?.valid && summary.name ? (
          <button
            type="button"
            className="button"
            title="Boot a throwaway copy of the newest good build full-screen, with its links big, for a demo"
            onClick={() => void presentLatest(summary.name!, summary.version ?? '')}
          >
            Present
          </button>
        ) : null}
        {summary?.valid ? (
          <label className="toggle" title="Keep one VM up and copy every save into it, then run the checks again (yoke dev)">
            <input
              type="checkbox"
              checked={liveOn}
              disabled={live.status === 'starting' || live.status === 'stopping'}
              onChange={(e) => {
                if (e.target.checked) {
                  showTab('live');
                  void live.start(summary.dir);
                } else void live.stop();
              }}
            />
            Live
          </label>
        ) : null}
        {summary ? (
          <label className="toggle" title="Every time the folder is saved and the spec is valid, build and test it (a run in progress is cancelled first)">
            <input type="checkbox" checked={buildOnSave.on} onChange={(e) => buildOnSave.set(e.target.checked)} />
            Build on save
          </label>
        ) : null}
        <button type="button" className={summary ? 'button' : 'button primary'} onClick={() => void pick()} disabled={opening}>
          Open appliance…
        </button>
        <button type="button" className="button" onClick={() => setCreating(true)}>
          New appliance…
        </button>
      </ScreenHeader>
      {creating ? <NewApplianceDialog onClose={() => setCreating(false)} /> : null}

      {asking ? (
        <OpenFolderForm
          initial={summary?.dir ?? sample}
          busy={opening}
          error={error}
          onOpen={(dir) =>
            void open(dir).then((ok) => {
              // Opened: the box has done its job. A bad path stays in the box, with its error under it.
              if (ok) setAsking(false);
            })
          }
          onCancel={() => {
            useAppliance.setState({ error: null });
            setAsking(false);
          }}
        />
      ) : null}
      {pickError ? <ErrorNotice title="Could not show the folder dialog">{pickError}</ErrorNotice> : null}
      {presentError ? <ErrorNotice title="Nothing to present">{presentError}</ErrorNotice> : null}
      {error && !asking ? <ErrorNotice title="Could not open the appliance">{error}</ErrorNotice> : null}

      {summary?.valid ? (
        <div className="tabs" role="tablist" aria-label="Appliance views" onKeyDown={onTabListKey}>
          <button type="button" role="tab" className="tab" aria-selected={tab === 'overview'} tabIndex={tab === 'overview' ? 0 : -1} onClick={() => showTab('overview')}>
            Overview
          </button>
          <button type="button" role="tab" className="tab" aria-selected={tab === 'build'} tabIndex={tab === 'build' ? 0 : -1} onClick={() => showTab('build')}>
            Build &amp; test
          </button>
          <button type="button" role="tab" className="tab" aria-selected={tab === 'live'} tabIndex={tab === 'live' ? 0 : -1} onClick={() => showTab('live')}>
            Live
          </button>
        </div>
      ) : null}

      {summary?.valid && tab === 'live' ? (
        <div role="tabpanel" aria-label="Live" className="build-tabpanel">
          <LivePanel summary={summary} />
        </div>
      ) : summary?.valid && tab === 'build' ? (
        <div role="tabpanel" aria-label="Build and test" className="build-tabpanel fill">
          <BuildView summary={summary} />
        </div>
      ) : (
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
                <button type="button" className="recent-item" onClick={() => void open(r.dir)} title={r.dir}>
                  {/* Spoken, not shown: the accessible name starts with the visible text it reads out. */}
                  <span className="sr-only">Open </span>
                  <span className="recent-name">{r.name}</span>
                  <span className="recent-dir mono">{r.dir}</span>
                  <span className="recent-time">{formatTime(r.lastOpened)}</span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
      )}
    </div>
  );
}
