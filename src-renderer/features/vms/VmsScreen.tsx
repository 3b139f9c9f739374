import { useEffect, useState } from 'react';
import { invoke, subscribe } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { formatTime } from '../../components/format';
import { useCommand } from '../../components/useCommand';

export function VmsScreen() {
  const vms = useCommand('vms.list', {});
  const [stopError, setStopError] = useState<string | null>(null);
  const { reload } = vms;
  useEffect(() => subscribe('vms.changed', () => reload()), [reload]);
  const rows = vms.value ?? [];

  const stop = async (id: string) => {
    setStopError(null);
    const r = await invoke('vms.stop', { id });
    if (!r.ok) setStopError(r.error.message);
    reload();
  };

  return (
    <div className="screen">
      <ScreenHeader title="VMs" subtitle="Virtual machines Yoke started: test boots and the ones you run.">
        <button type="button" className="button" onClick={() => reload()} disabled={vms.status === 'loading'}>
          Refresh
        </button>
      </ScreenHeader>
      {vms.status === 'error' ? <ErrorNotice title="Could not list VMs">{vms.error.message}</ErrorNotice> : null}
      {stopError ? <ErrorNotice title="Could not stop the VM">{stopError}</ErrorNotice> : null}
      <section className="panel flush">
        {rows.length === 0 ? (
          vms.status !== 'ok' ? null : (
            <EmptyState title="No VMs running">
              <p>VMs appear here while a test boots an appliance or while you run one.</p>
            </EmptyState>
          )
        ) : (
          <table className="grid" aria-label="Virtual machines">
            <thead>
              <tr>
                <th scope="col">Appliance</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Accelerator</th>
                <th scope="col">Ports</th>
                <th scope="col">Started</th>
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
                  </td>
                  <td className="mono">{vm.version}</td>
                  <td>
                    <span className={`status status-${vm.status}`}>{vm.status}</span>
                  </td>
                  <td className="mono">{vm.accel}</td>
                  <td className="mono">{vm.forwards.map((f) => `${f.host}→${f.guest}`).join(', ') || '—'}</td>
                  <td>{formatTime(vm.startedAt)}</td>
                  <td className="actions-cell">
                    <button type="button" className="button small" onClick={() => void stop(vm.id)} aria-label={`Stop ${vm.appliance} ${vm.id}`}>
                      Stop
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
