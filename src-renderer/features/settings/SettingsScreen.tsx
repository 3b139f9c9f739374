import type { DoctorReport } from '../../../src-main/api/contract';
import { transport } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useCommand } from '../../components/useCommand';
import { useSession } from '../../stores/session';
import { CopyableCommand } from './CopyableCommand';

function accelLine(accel: DoctorReport['accel']): string {
  return `KVM: ${accel.kvm}, using ${accel.using} — ${accel.reason}`;
}

function DoctorView({ report }: { report: DoctorReport }) {
  const missing = report.tools.filter((t) => !t.found).length;
  return (
    <>
      <section className="panel" aria-labelledby="host-heading">
        <h2 id="host-heading" className="panel-title">
          This machine
          <span className={report.ok ? 'chip chip-ok' : 'chip chip-bad'}>{report.ok ? 'ready' : 'needs attention'}</span>
        </h2>
        <dl className="kv">
          <dt>Accelerator</dt>
          <dd>
            <span className={`accel accel-${report.accel.using}`}>{accelLine(report.accel)}</span>
          </dd>
          <dt>Guest kernel</dt>
          <dd>
            {report.kernel.found ? <span className="mono">{report.kernel.path}</span> : <span className="text-bad">not found</span>}{' '}
            <span className="muted">
              ({report.kernel.source}) {report.kernel.detail}
            </span>
          </dd>
          <dt>Data directory</dt>
          <dd className="mono">{report.home}</dd>
        </dl>
        {report.aptCommand ? (
          <div className="fix">
            <p>
              {missing} {missing === 1 ? 'tool is' : 'tools are'} missing. Install {missing === 1 ? 'it' : 'them'} with:
            </p>
            <CopyableCommand command={report.aptCommand} label="Command that installs the missing tools" />
          </div>
        ) : null}
      </section>

      <section className="panel flush">
        <table className="grid" aria-label="Tools">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Path</th>
              <th scope="col">Debian package</th>
              <th scope="col">Used for</th>
            </tr>
          </thead>
          <tbody>
            {report.tools.map((t) => (
              <tr key={t.name}>
                <td className="mono nowrap">{t.name}</td>
                <td className="nowrap">
                  <span className={t.found ? 'status status-found' : 'status status-missing'}>{t.found ? 'found' : 'missing'}</span>
                </td>
                <td className="mono nowrap">{t.version ?? '—'}</td>
                <td className="mono">
                  <span className="truncate" title={t.path}>
                    {t.path ?? '—'}
                  </span>
                </td>
                <td className="mono nowrap">{t.aptPackage}</td>
                <td className="muted col-purpose">{t.purpose}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

export function SettingsScreen() {
  const doctor = useCommand('host.doctor', {});
  const info = useSession((s) => s.info);
  return (
    <div className="screen">
      <ScreenHeader title="Settings" subtitle="What this machine can do, and where Yoke keeps its data.">
        <button type="button" className="button" onClick={() => doctor.reload({ refresh: true })} disabled={doctor.status === 'loading'}>
          {doctor.status === 'loading' ? 'Checking…' : 'Check again'}
        </button>
      </ScreenHeader>
      {doctor.status === 'error' ? <ErrorNotice title="Could not check this machine">{doctor.error.message}</ErrorNotice> : null}
      {doctor.value ? <DoctorView report={doctor.value} /> : doctor.status === 'loading' ? <p className="muted">Checking tools and the accelerator…</p> : null}
      <section className="panel" aria-labelledby="about-heading">
        <h2 id="about-heading" className="panel-title">
          About
        </h2>
        <dl className="kv">
          <dt>Version</dt>
          <dd className="mono">{info?.version ?? '—'}</dd>
          <dt>Running as</dt>
          <dd>{transport === 'ipc' ? 'desktop app' : 'browser UI (yoke serve, this machine only)'}</dd>
        </dl>
      </section>
    </div>
  );
}
