import { useJobs } from '../stores/jobs';
import { useSession } from '../stores/session';

const CONNECTION_TEXT = { open: 'Connected', connecting: 'Connecting…', closed: 'Disconnected — retrying' } as const;

function LatestJob() {
  const job = useJobs((s) => {
    const id = s.order[s.order.length - 1];
    return id ? s.jobs[id] : undefined;
  });
  if (!job) return <span className="muted">No jobs running</span>;
  if (job.status === 'running') {
    const pct = job.fraction === null ? null : Math.round(job.fraction * 100);
    return (
      <span className="job">
        <span className="job-title">{job.title}</span>
        <span className="muted">{job.stage}</span>
        {/* A progress element without a value is indeterminate: nothing to promise yet. */}
        {pct === null ? <progress aria-label={`${job.title}: working`} /> : <progress max={100} value={pct} aria-label={`${job.title}: ${pct}%`} />}
        <span className="mono">{pct === null ? '' : `${pct}%`}</span>
      </span>
    );
  }
  return (
    <span className={`job job-${job.status}`}>
      {job.title}: {job.status}
      {job.error ? ` — ${job.error}` : ''}
    </span>
  );
}

export function StatusBar() {
  const connection = useSession((s) => s.connection);
  const info = useSession((s) => s.info);
  return (
    <footer className="statusbar" aria-label="Status">
      <span className={`conn conn-${connection}`} role="status">
        <span className="dot" aria-hidden="true" />
        {CONNECTION_TEXT[connection]}
      </span>
      <span className="statusbar-main">
        <LatestJob />
      </span>
      {info ? (
        <span className="statusbar-right mono" title={`Data directory: ${info.home}`}>
          {info.home} · v{info.version}
        </span>
      ) : null}
    </footer>
  );
}
