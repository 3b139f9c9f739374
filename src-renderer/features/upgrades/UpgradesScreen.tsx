import { useEffect, useId, useMemo, useState } from 'react';
import { invoke } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useCommand } from '../../components/useCommand';
import { useAppliance } from '../../stores/appliance';
import { cellView, label, missingFor, visibleCandidates, type CellView, type Matrix } from './cells';
import { UpgradeMatrix } from './UpgradeMatrix';
import { UpgradeProgress } from './UpgradeProgress';
import { UpgradeRunDetails } from './UpgradeRunDetails';
import { startTracking, useUpgrades, type UpgradeMethod } from './upgrades-store';
import { CanaryPanel } from './CanaryPanel';
import './upgrades.css';

/** Released builds of one appliance against a candidate build, each pair upgrade-tested. */
function MatrixPanel({ appliance }: { appliance: string }) {
  const matrix = useCommand('upgrades.matrix', { appliance });
  const { reload } = matrix;
  const { candidateId, setCandidate, method, setMethod, hardware, setHardware, selected, select, job, run, startError, matrixVersion } = useUpgrades();
  const profiles = useCommand('hardware.list', {});
  const [releaseError, setReleaseError] = useState<string | null>(null);
  const [releasing, setReleasing] = useState(false);
  const ids = { candidate: useId(), method: useId(), hardware: useId() };
  useEffect(() => {
    if (matrixVersion > 0) reload();
  }, [matrixVersion, reload]);

  const m: Matrix | null = matrix.value;
  const candidate = m ? (m.candidates.find((c) => c.id === candidateId) ?? m.candidates[0]) : undefined;
  const columns = useMemo(() => (m ? visibleCandidates(m, candidate?.id ?? null) : []), [m, candidate?.id]);
  const running = job?.status === 'running';
  const missing = m ? missingFor(m, candidate, job) : [];

  if (matrix.status === 'error' && !m) return <ErrorNotice title={`Could not read the upgrade matrix of ${appliance}`}>{matrix.error.message}</ErrorNotice>;
  if (!m) return <p className="muted">Loading the upgrade matrix of {appliance}…</p>;
  if (m.candidates.length === 0) {
    return (
      <section className="panel">
        <EmptyState title={`No succeeded builds of ${appliance}`}>
          <p>
            Build it first: Appliances → Build, or <code className="mono">yoke build DIR</code>. A succeeded build can be released, and becomes a candidate to upgrade the released ones to.
          </p>
        </EmptyState>
      </section>
    );
  }

  const toggleRelease = async () => {
    if (!candidate) return;
    setReleasing(true);
    setReleaseError(null);
    const r = await invoke('builds.release', { id: candidate.id, released: !candidate.released });
    setReleasing(false);
    if (!r.ok) setReleaseError(r.error.message);
    reload();
  };
  const start = (froms: number[]) => {
    if (!candidate) return;
    // The details panel follows the run: it shows the first pair's checks as they arrive.
    if (!selected || selected.toBuildId !== candidate.id || !froms.includes(selected.fromBuildId)) select({ fromBuildId: froms[0], toBuildId: candidate.id });
    void run(froms, candidate.id);
  };
  const runOne = (cell: CellView) => {
    select({ fromBuildId: cell.from.id, toBuildId: cell.to.id });
    void run([cell.from.id], cell.to.id);
  };
  const selectedRow = selected ? m.rows.find((r) => r.id === selected.fromBuildId) : undefined;
  const selectedCol = selected ? m.candidates.find((c) => c.id === selected.toBuildId) : undefined;
  const selectedCell = selectedRow && selectedCol ? cellView(m, selectedRow, selectedCol, job) : null;

  return (
    <>
      <div className="filters upgrade-toolbar" role="group" aria-label="Candidate">
        <label htmlFor={ids.candidate}>Candidate</label>
        <select id={ids.candidate} value={candidate?.id ?? ''} onChange={(e) => setCandidate(Number(e.target.value))}>
          {m.candidates.map((c) => (
            <option key={c.id} value={c.id}>
              {label(c)}
              {c.released ? ' (released)' : ''}
            </option>
          ))}
        </select>
        {candidate?.released ? <span className="chip chip-ok">released</span> : <span className="chip chip-muted">not released</span>}
        <button
          type="button"
          className="button small"
          onClick={() => void toggleRelease()}
          disabled={releasing || !candidate}
          title={candidate?.released ? `Take ${label(candidate)} off the released builds` : `Mark ${candidate ? label(candidate) : ''} released: it becomes a row, an old version to upgrade from`}
        >
          {candidate?.released ? 'Unrelease' : 'Release'}
        </button>
        <span className="toolbar-gap" />
        <span className="toolbar-group">
          <label htmlFor={ids.method}>Method</label>
          <select id={ids.method} value={method} onChange={(e) => setMethod(e.target.value as UpgradeMethod)} title="Swap: boot the new OS disk with the old data disk. Package: the old build installs the new full update package itself.">
            <option value="swap">Swap OS disk</option>
            <option value="package">Update package</option>
          </select>
          <label htmlFor={ids.hardware}>Hardware</label>
          <select
            id={ids.hardware}
            value={hardware}
            onChange={(e) => {
              setHardware(e.target.value);
              // Another machine is another swap: the package method boots the build's own disks.
              if (e.target.value) setMethod('swap');
            }}
            title="The machine both halves boot on, from the exported disks (VirtualBox and VMware profiles: swap only)"
          >
            <option value="">virtio (default)</option>
            {(profiles.value ?? []).filter((p) => p.name !== 'virtio').map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button primary"
            disabled={running || missing.length === 0}
            onClick={() => start(missing)}
            title={missing.length ? `Upgrade ${missing.length} released ${missing.length === 1 ? 'build' : 'builds'} not run yet to ${candidate ? label(candidate) : ''}` : 'Every cell of this candidate has run'}
          >
            Run all
            {missing.length ? <span className="run-all-count">{missing.length}</span> : null}
          </button>
        </span>
      </div>
      {releaseError ? <ErrorNotice title="Could not change the release">{releaseError}</ErrorNotice> : null}
      {startError ? <ErrorNotice title="Could not start the upgrade test">{startError}</ErrorNotice> : null}
      {job ? <UpgradeProgress job={job} matrix={m} /> : null}
      {m.rows.length === 0 ? (
        <section className="panel">
          <EmptyState title={`No released builds of ${appliance}`}>
            <p>Rows of the matrix are released builds: the versions customers run and must be able to upgrade from.</p>
            <p>
              Release one in <strong>Builds</strong> → select a build → <strong>Release</strong>, with the Release button above for the selected candidate, or with{' '}
              <code className="mono">yoke release BUILD</code>.
            </p>
          </EmptyState>
        </section>
      ) : (
        <section className="panel flush">
          <UpgradeMatrix matrix={m} columns={columns} candidateId={candidate?.id ?? null} job={job} selected={selected} onOpen={select} onRun={runOne} busy={running} />
        </section>
      )}
      {selectedCell ? <UpgradeRunDetails cell={selectedCell} job={job} busy={running} onRun={() => runOne(selectedCell)} onClose={() => select(null)} /> : null}
      {m.rows.length ? <CanaryPanel key={candidate?.id ?? 0} rows={m.rows} candidate={candidate ?? null} /> : null}
    </>
  );
}

export function UpgradesScreen() {
  const open = useAppliance((s) => s.summary?.name);
  const recent = useAppliance((s) => s.recent);
  const loadRecent = useAppliance((s) => s.loadRecent);
  const { appliance, setAppliance } = useUpgrades();
  const id = useId();
  useEffect(() => {
    startTracking();
    void loadRecent();
  }, [loadRecent]);
  const names = useMemo(() => [...new Set([...(open ? [open] : []), ...recent.map((r) => r.name)])], [open, recent]);
  const current = appliance && names.includes(appliance) ? appliance : (names[0] ?? null);
  useEffect(() => {
    if (current && current !== appliance) setAppliance(current);
  }, [current, appliance, setAppliance]);

  return (
    <div className="screen upgrades-screen">
      <ScreenHeader title="Upgrades" subtitle="Every released build upgraded to a candidate: its data kept, its disks mounted, its services running.">
        {names.length > 0 ? (
          <span className="header-field">
            <label htmlFor={id}>Appliance</label>
            <select id={id} value={current ?? ''} onChange={(e) => setAppliance(e.target.value)}>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </span>
        ) : null}
      </ScreenHeader>
      {current ? (
        <MatrixPanel key={current} appliance={current} />
      ) : (
        <section className="panel">
          <EmptyState title="No appliance yet">
            <p>Open an appliance in Appliances and build it; its released builds and candidates show up here.</p>
          </EmptyState>
        </section>
      )}
    </div>
  );
}
