import { useEffect, useId, useState } from 'react';
import type { BuildSummary, CanaryReport } from '../../../src-main/api/contract';
import { invoke, subscribe } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';

function label(b: BuildSummary): string {
  return `#${b.id} ${b.version}`;
}

/**
 * Beside the matrix: the released build and the candidate side by side, the requests real users
 * made (a HAR file or an access log) replayed against both, their answers compared.
 */
export function CanaryPanel({ rows, candidate }: { rows: BuildSummary[]; candidate: BuildSummary | null }) {
  const [fromId, setFromId] = useState<number | null>(rows.at(-1)?.id ?? null);
  const [requests, setRequests] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [phase, setPhase] = useState('');
  const [report, setReport] = useState<CanaryReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { from: useId(), requests: useId() };
  const running = jobId !== null;

  useEffect(() => {
    if (!jobId) return;
    const offProgress = subscribe('job.progress', (p) => {
      if (p.jobId === jobId) setPhase(p.message ?? p.phase);
    });
    const offDone = subscribe('job.finished', (p) => {
      if (p.jobId !== jobId) return;
      void invoke('canary.get', { jobId }).then((r) => {
        if (r.ok) setReport(r.value);
        else setError(p.error ?? r.error.message);
        setJobId(null);
      });
    });
    return () => {
      offProgress();
      offDone();
    };
  }, [jobId]);

  const start = async () => {
    if (!candidate || fromId === null) return;
    setError(null);
    setReport(null);
    const r = await invoke('canary.start', { toBuildId: candidate.id, from: String(fromId), requests: requests.trim() });
    if (!r.ok) return setError(r.error.message);
    setJobId(r.value.jobId);
    setPhase('starting');
  };

  return (
    <section className="panel canary" aria-label="Canary">
      <h3 className="panel-title">Canary: replay real requests against both</h3>
      <form
        className="canary-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <span className="header-field">
          <label htmlFor={ids.from}>Released</label>
          <select id={ids.from} value={fromId ?? ''} onChange={(e) => setFromId(Number(e.target.value))} disabled={running}>
            {rows.map((b) => (
              <option key={b.id} value={b.id}>
                {label(b)}
              </option>
            ))}
          </select>
        </span>
        <span className="muted">vs {candidate ? label(candidate) : 'no candidate'}</span>
        <span className="header-field grow">
          <label htmlFor={ids.requests}>Requests (HAR or access log)</label>
          <input id={ids.requests} className="mono" placeholder="/path/to/traffic.har" value={requests} onChange={(e) => setRequests(e.target.value)} disabled={running} />
        </span>
        <button type="submit" className="button primary" disabled={running || !candidate || fromId === null || !requests.trim()}>
          {running ? 'Running…' : 'Run canary'}
        </button>
      </form>
      {running ? (
        <p className="muted small" role="status">
          {phase}
        </p>
      ) : null}
      {error ? <ErrorNotice title="The canary did not finish">{error}</ErrorNotice> : null}
      {report ? (
        <div className="canary-report">
          <p role="status">
            <span className={`status status-${report.verdict === 'promote' ? 'passed' : 'failed'}`}>{report.verdict === 'promote' ? 'Promote' : 'Hold'}</span>{' '}
            #{report.from.id} {report.from.version} vs #{report.to.id} {report.to.version}: {report.requests} requests replayed, {report.differences.length} differences, {report.newErrors.length} new error lines, {report.skipped.length} skipped
            {report.changedBodies ? `, ${report.changedBodies} bodies changed text` : ''}
          </p>
          {report.differences.length ? (
            <table className="grid" aria-label="Canary differences">
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Released ({report.from.version})</th>
                  <th scope="col">Candidate ({report.to.version})</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {report.differences.map((d) => (
                  <tr key={d.request}>
                    <td className="mono">{d.request}</td>
                    <td className="mono">
                      {d.old.error ?? `${d.old.status} ${d.old.contentType.split(';')[0]}`} <span className="muted">{d.old.ms} ms</span>
                    </td>
                    <td className="mono">
                      {d.new.error ?? `${d.new.status} ${d.new.contentType.split(';')[0]}`} <span className="muted">{d.new.ms} ms</span>
                    </td>
                    <td>{d.why}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.newErrors.length ? (
            <ul aria-label="New error lines" className="mono small">
              {report.newErrors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : null}
          {report.skipped.length ? (
            <details>
              <summary>{report.skipped.length} requests skipped</summary>
              <ul className="small">
                {report.skipped.map((s) => (
                  <li key={s.request}>
                    <span className="mono">{s.request}</span>: {s.why}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
