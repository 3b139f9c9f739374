import { useJobs, type JobView } from '../stores/jobs';
import { useSession } from '../stores/session';

const CONNECTION_TEXT = { open: 'Connected', connecting: 'Connecting…', closed: 'Disconnected — retrying' } as const;

/**
 * The job the status bar speaks of: the newest one still running, else the one that finished
 * last (a test that built first ends after its build, and its outcome is the one that counts).
 */
export function jobToShow(jobs: Record<string, JobView>, order: readonly string[]): JobView | undefined {
  const all = order.map((id) => jobs[id]).filter(Boolean);
  const running = all.filter((j) => j.status === 'running');
  if (running.length > 0) return running[running.length - 1];
  return all.reduce<JobView | undefined>((last, j) => (!last || (j.finishedAt ?? 0) >= (last.finishedAt ?? 0) ? j : last), undefined);
}

/** What a finished job's outcome is called: a build that built is not a tested success. */
function outcome(job: JobView): { text: string; tone: string } {
  const build = job.buildId !== undefined ? ` #${job.buildId}` : '';
  if (job.status === 'cancelled') return { text: 'Cancelled', tone: 'cancelled' };
  if (job.status === 'failed') return { text: `failed${job.error ? ` — ${job.error}` : ''}`, tone: 'failed' };
  if (job.kind === 'build' && job.unchangedSince !== undefined) return { text: `No changes since #${job.unchangedSince}`, tone: 'built' };
  if (job.kind === 'build') return { text: `built${build} (not tested)`, tone: 'built' };
  if (job.kind === 'test') return { text: `passed${build ? ` (build${build})` : ''}`, tone: 'succeeded' };
  return { text: 'done', tone: 'succeeded' };
}

function LatestJob() {
  const job = useJobs((s) => jobToShow(s.jobs, s.order));
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
  const { text, tone } = outcome(job);
  return (
    <span className={`job job-${tone}`} title={job.error}>
      {job.title}: {text}
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
      <span className="statusbar-main" aria-live="polite">
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
