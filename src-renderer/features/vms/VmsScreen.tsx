import { lazy, Suspense, useEffect, useState } from 'react';
import type { VmSummary } from '../../../src-main/api/contract';
import { invoke, subscribe } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { formatDuration } from '../../components/format';
import { useCommand } from '../../components/useCommand';
import { useNow } from '../../components/useNow';
import { useVmsSelection } from '../../stores/vms-selection';
import { onTabListKey } from '../../components/tab-keys';
import { forgetTranscript, knownLabel, rememberLabel } from './transcripts';
import { useSession } from '../../stores/session';

// xterm is most of the bundle: load it when a terminal first opens, not at start-up.
const VmTerminal = lazy(() => import('./VmTerminal').then((m) => ({ default: m.VmTerminal })));

function vmLabel(vm: VmSummary | undefined, id: string): string {
  return vm ? `${vm.appliance} ${vm.version}` : id;
}

function VmTable({ rows, onStop, onTerminal, onSaveData }: { rows: VmSummary[]; onStop(id: string, force: boolean): void; onTerminal(id: string): void; onSaveData(vm: VmSummary): void }) {
  const now = useNow(1000, rows.length > 0);
  return (
    <table className="grid" aria-label="Virtual machines">
      <thead>
        <tr>
          <th scope="col">Appliance</th>
          <th scope="col">Version</th>
          <th scope="col">Status</th>
          <th scope="col">Accelerator</th>
          <th scope="col">Ports</th>
          <th scope="col">Uptime</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((vm) => (
          <tr key={vm.id}>
            <td>
              {vm.appliance} <span className="muted small">{vm.purpose}</span>
              {vm.buildId !== null ? <span className="muted small"> · build #{vm.buildId}</span> : null}
            </td>
            <td className="mono">{vm.version}</td>
            <td>
              <span className={`status status-${vm.status}`}>{vm.status}</span>
            </td>
            <td>
              <span className={`accel accel-${vm.accel} mono`}>{vm.accel}</span>
              {vm.accel === 'tcg' ? (
                <span className="muted small hint" title="No KVM here: qemu emulates the CPU in software, so the guest runs several times slower.">
                  {' '}
                  TCG is slower
                </span>
              ) : null}
            </td>
            <td>
              {vm.forwards.length === 0 ? (
                <span className="muted">—</span>
              ) : (
                <ul className="port-links">
                  {vm.forwards.map((f) => (
                    <li key={f.host}>
                      <a href={`http://127.0.0.1:${f.host}/`} target="_blank" rel="noreferrer noopener" className="mono">
                        127.0.0.1:{f.host}
                      </a>
                      <span className="muted small"> → {f.guest}</span>
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td className="mono nowrap">{formatDuration(Math.max(0, now - Date.parse(vm.startedAt)))}</td>
            <td className="actions-cell">
              <span className="row-actions">
                <button type="button" className="button small" onClick={() => onTerminal(vm.id)}>
                  Terminal
                </button>
                <button type="button" className="button small" title="Save this VM's data disk to a file: a backup, or data for another appliance (--data)" onClick={() => onSaveData(vm)}>
                  Save data…
                </button>
                <button type="button" className="button small" onClick={() => onStop(vm.id, false)}>
                  Stop
                </button>
                <button type="button" className="button small danger" onClick={() => onStop(vm.id, true)}>
                  Force stop
                </button>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function VmsScreen() {
  const vms = useCommand('vms.list', {});
  const [stopError, setStopError] = useState<string | null>(null);
  const [saving, setSaving] = useState<{ vm: VmSummary; file: string; busy: boolean; result: string | null; error: string | null } | null>(null);
  const { tabs, active, openTerminal, closeTerminal } = useVmsSelection();
  const home = useSession((s) => s.info?.home ?? '');
  const { reload } = vms;
  useEffect(() => subscribe('vms.changed', () => reload()), [reload]);
  const rows = vms.value ?? [];
  const byId = new Map(rows.map((vm) => [vm.id, vm]));

  // A VM that stopped keeps its Terminal tab, with the transcript, until the person closes it.
  for (const vm of rows) rememberLabel(vm.id, vmLabel(vm, vm.id));
  const labelOf = (id: string) => (byId.has(id) ? vmLabel(byId.get(id), id) : (knownLabel(id) ?? id));

  const stop = async (id: string, force: boolean) => {
    setStopError(null);
    const r = await invoke('vms.stop', { id, force });
    if (!r.ok) setStopError(r.error.message);
    reload();
  };

  const saveData = async () => {
    if (!saving) return;
    setSaving({ ...saving, busy: true, error: null, result: null });
    const r = await invoke('vms.saveData', { id: saving.vm.id, file: saving.file });
    setSaving((s) => s && { ...s, busy: false, ...(r.ok ? { result: `Saved ${r.value.file} (${r.value.format}, ${Math.round(r.value.bytes / 1048576)} MiB)` } : { error: r.error.message }) });
  };

  return (
    <div className="screen vms-screen">
      <ScreenHeader title="VMs" subtitle="Virtual machines Yoke started: test boots and the ones you run.">
        <button type="button" className="button" onClick={() => reload()} disabled={vms.status === 'loading'}>
          Refresh
        </button>
      </ScreenHeader>
      {vms.status === 'error' ? <ErrorNotice title="Could not list VMs">{vms.error.message}</ErrorNotice> : null}
      {stopError ? <ErrorNotice title="Could not stop the VM">{stopError}</ErrorNotice> : null}
      {saving ? (
        <form
          className="panel save-data"
          aria-label="Save data disk"
          onSubmit={(e) => {
            e.preventDefault();
            void saveData();
          }}
        >
          <label htmlFor="save-data-file">
            Save the data disk of {saving.vm.appliance} {saving.vm.version} to (the extension names the format: .raw .qcow2 .vmdk .vhd .vdi)
          </label>
          <div className="row">
            <input id="save-data-file" className="mono" value={saving.file} onChange={(e) => setSaving({ ...saving, file: e.target.value })} disabled={saving.busy} />
            <button type="submit" className="button primary" disabled={saving.busy || !saving.file}>
              {saving.busy ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="button" onClick={() => setSaving(null)}>
              Close
            </button>
          </div>
          {saving.result ? <p role="status">{saving.result}</p> : null}
          {saving.error ? <ErrorNotice title="Could not save the data disk">{saving.error}</ErrorNotice> : null}
        </form>
      ) : null}
      <div className="tabs-row">
        <div className="tabs" role="tablist" aria-label="VM views" onKeyDown={onTabListKey}>
          <button type="button" role="tab" className="tab" aria-selected={active === null} tabIndex={active === null ? 0 : -1} onClick={() => openTerminal(null)}>
            Running ({rows.length})
          </button>
          {tabs.map((id) => (
            <button key={id} type="button" role="tab" className="tab" aria-selected={active === id} tabIndex={active === id ? 0 : -1} onClick={() => openTerminal(id)}>
              Terminal: {labelOf(id)}
              {byId.has(id) ? null : <span className="muted small"> (off)</span>}
            </button>
          ))}
        </div>
        {active !== null ? (
          // Outside the tablist: a tablist may hold only tabs.
          <button type="button" className="button small" aria-label={`Close terminal of ${labelOf(active)}`} title="Close this terminal tab" onClick={() => {
              if (!byId.has(active)) forgetTranscript(active);
              closeTerminal(active);
            }}
          >
            Close terminal
          </button>
        ) : null}
      </div>
      {active === null ? (
        <section className="panel flush" role="tabpanel" aria-label="Running VMs">
          {rows.length === 0 ? (
            vms.status !== 'ok' ? null : (
              <EmptyState title="No VMs running">
                <p>Boot a build from its details in Builds, or run a test; its VM shows here.</p>
              </EmptyState>
            )
          ) : (
            <VmTable
              rows={rows}
              onStop={(id, force) => void stop(id, force)}
              onTerminal={openTerminal}
              onSaveData={(vm) => setSaving({ vm, file: `${home}/saved-data/${vm.appliance}-${vm.version}-${vm.id}.qcow2`, busy: false, result: null, error: null })}
            />
          )}
        </section>
      ) : (
        <section className="panel flush terminal-panel" role="tabpanel" aria-label={`Terminal: ${labelOf(active)}`}>
          {vms.value === null ? (
            <p className="muted terminal-loading">Loading the terminal…</p>
          ) : (
            <Suspense fallback={<p className="muted terminal-loading">Loading the terminal…</p>}>
              <VmTerminal key={`${active}-${byId.has(active)}`} id={active} label={labelOf(active)} running={byId.has(active)} />
            </Suspense>
          )}
        </section>
      )}
    </div>
  );
}
