import { formatDuration } from '../../components/format';
import { useNow } from '../../components/useNow';
import type { StageView } from '../../stores/run';

/** Each stage of a build: name, duration (ticking while it runs) and whether the cache served it. */
export function StageTimeline({ stages, live }: { stages: readonly StageView[]; live: boolean }) {
  const now = useNow(250, live && stages.some((s) => s.status === 'running'));
  if (stages.length === 0) return <p className="muted small">Stages appear here as the build runs.</p>;
  return (
    <ol className="stages" aria-label="Stages">
      {stages.map((s) => {
        const running = s.status === 'running' && live;
        const ms = running ? now - s.startedAt : s.durationMs;
        return (
          <li key={s.name} className={`stage stage-${s.status}`}>
            <span className={`status status-${s.status}`}>
              <span className="stage-name">{s.name}</span>
            </span>
            {s.cached ? <span className="chip chip-cached">cached</span> : null}
            <span className="stage-duration mono">{running ? `${formatDuration(ms)}…` : formatDuration(ms)}</span>
          </li>
        );
      })}
    </ol>
  );
}
