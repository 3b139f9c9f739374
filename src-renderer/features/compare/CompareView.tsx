import type { ReactNode } from 'react';
import { PackageChanges } from './PackageChanges';
import type { BuildComparison } from '../../../src-main/api/contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes, formatDuration, formatTime } from '../../components/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useCommand } from '../../components/useCommand';
import { chartFormats, HistoryChart, Treemap } from './Charts';
import './compare.css';

function delta(a: number | null, b: number | null, format: (n: number) => string): string {
  if (a === null || b === null || a === b) return '';
  return `${b > a ? '+' : '−'}${format(Math.abs(b - a))}`;
}

function SideBySide({ c }: { c: BuildComparison }) {
  const rows: [string, (s: BuildComparison['a']) => string, (s: BuildComparison['a']) => number | null, (n: number) => string][] = [
    ['Version', (s) => s.build.version, () => null, String],
    ['Built', (s) => formatTime(s.build.createdAt), () => null, String],
    ['Status', (s) => s.build.status, () => null, String],
    ['Build time', (s) => formatDuration(s.build.durationMs), (s) => s.build.durationMs, formatDuration],
    ['Image size', (s) => formatBytes(s.build.bytes), (s) => s.build.bytes, formatBytes],
    ['Rootfs', (s) => `${formatBytes(s.rootfsBytes)} · ${s.rootfsFiles} files`, (s) => s.rootfsBytes, formatBytes],
    ['Boot time', (s) => (s.bootSeconds === null ? 'not booted yet' : `${s.bootSeconds.toFixed(2)} s`), (s) => (s.bootSeconds === null ? null : s.bootSeconds * 1000), formatDuration],
  ];
  return (
    <table className="grid cmp-table" aria-label="Side by side">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">#{c.a.build.id}</th>
          <th scope="col">#{c.b.build.id}</th>
          <th scope="col" className="num">
            Change
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, show, num, fmt]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{show(c.a)}</td>
            <td>{show(c.b)}</td>
            <td className="num mono">{delta(num(c.a), num(c.b), fmt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One row per name, the two builds' values side by side (stage timings, check results). */
function PairTable({ c, label, first, rows }: { c: BuildComparison; label: string; first: string; rows: { key: string; name: string; mono?: boolean; a: ReactNode; b: ReactNode }[] }) {
  return (
    <table className="grid cmp-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">#{c.a.build.id}</th>
          <th scope="col">#{c.b.build.id}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td className={r.mono ? 'mono' : undefined}>{r.name}</td>
            <td>{r.a}</td>
            <td>{r.b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Stages({ c }: { c: BuildComparison }) {
  const names = [...new Set([...c.a.stages.map((s) => s.name), ...c.b.stages.map((s) => s.name)])];
  const cell = (side: BuildComparison['a'], n: string) => {
    const s = side.stages.find((x) => x.name === n);
    return s ? `${formatDuration(s.durationMs)}${s.cacheHit ? ' (cached)' : ''}` : '—';
  };
  return <PairTable c={c} label="Stage timings" first="Stage" rows={names.map((n) => ({ key: n, name: n, mono: true, a: cell(c.a, n), b: cell(c.b, n) }))} />;
}

function Checks({ c }: { c: BuildComparison }) {
  const key = (x: { name: string; phase?: string }) => `${x.phase ?? ''}${x.name}`;
  const names = [...new Map([...c.a.checks, ...c.b.checks].map((x) => [key(x), x.name])).entries()];
  const cell = (side: BuildComparison['a'], k: string) => {
    const r = side.checks.find((x) => key(x) === k);
    return r ? <span className={`status status-${r.status === 'passed' ? 'succeeded' : 'failed'}`}>{r.status}</span> : <span className="muted">not run</span>;
  };
  if (names.length === 0) return <p className="muted small">Neither build has been tested.</p>;
  return <PairTable c={c} label="Check results" first="Check" rows={names.map(([k, name]) => ({ key: k, name, a: cell(c.a, k), b: cell(c.b, k) }))} />;
}

function Files({ c }: { c: BuildComparison }) {
  if (c.files.length === 0) return <p className="muted small">No file changed ({c.unchangedFiles.toLocaleString()} files are identical).</p>;
  return (
    <>
      <p className="muted small">
        {c.files.length} changed · {c.unchangedFiles.toLocaleString()} identical
      </p>
      <div className="cmp-scroll" tabIndex={0} role="region" aria-label="Changed files, scrollable">
        <table className="grid cmp-table" aria-label="Changed files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Change</th>
              <th scope="col" className="num">
                #{c.a.build.id}
              </th>
              <th scope="col" className="num">
                #{c.b.build.id}
              </th>
            </tr>
          </thead>
          <tbody>
            {c.files.map((f) => (
              <tr key={f.path}>
                <td className="mono">/{f.path}</td>
                <td>
                  <span className={`cmp-change cmp-${f.change}`}>{f.change}</span>
                </td>
                <td className="num">{formatBytes(f.bytesA)}</td>
                <td className="num">{formatBytes(f.bytesB)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function SpecDiff({ c }: { c: BuildComparison }) {
  const changed = c.specDiff.some((l) => l.op !== 'same');
  return (
    <>
      {!changed ? <p className="muted small">The specs are identical.</p> : null}
      <pre className="cmp-diff" tabIndex={0}>
        {c.specDiff.map((l, i) => (
          <div key={i} className={`cmp-line cmp-${l.op}`}>
            <span className="cmp-mark" aria-hidden="true">
              {l.op === 'add' ? '+' : l.op === 'del' ? '−' : ' '}
            </span>
            {l.op === 'add' ? <span className="sr-only">added: </span> : l.op === 'del' ? <span className="sr-only">removed: </span> : null}
            {l.text || ' '}
          </div>
        ))}
      </pre>
    </>
  );
}

/** Two builds side by side: what changed in the spec and the image, and what that cost. */
export function CompareView({ a, b, onBack }: { a: number; b: number; onBack(): void }) {
  const r = useCommand('builds.compare', { a, b });
  const c = r.value;
  return (
    <div className="screen compare-screen">
      <ScreenHeader title={`Compare #${a} and #${b}`} subtitle="Spec, rootfs files, sizes, timings and checks of two builds.">
        <button type="button" className="button" onClick={onBack}>
          Back to builds
        </button>
      </ScreenHeader>
      {r.status === 'error' ? <ErrorNotice title="Could not compare the builds">{r.error.message}</ErrorNotice> : null}
      {!c ? (
        <p className="muted">{r.status === 'loading' ? 'Reading both builds…' : ''}</p>
      ) : (
        <div className="cmp-grid">
          <section className="panel" aria-labelledby="cmp-summary">
            <h2 id="cmp-summary" className="panel-title">
              Side by side
            </h2>
            <SideBySide c={c} />
          </section>
          <section className="panel" aria-labelledby="cmp-history">
            <h2 id="cmp-history" className="panel-title">
              History of {c.b.build.appliance}
            </h2>
            <HistoryChart history={c.history} pick={(h) => h.durationMs} format={chartFormats.duration} label="Build time" marked={[a, b]} />
            <HistoryChart history={c.history} pick={(h) => h.bytes} format={chartFormats.bytes} label="Image size" marked={[a, b]} />
          </section>
          {c.packages ? (
            <section className="panel cmp-wide" aria-labelledby="cmp-packages">
              <h2 id="cmp-packages" className="panel-title">
                Debian packages
              </h2>
              <PackageChanges c={c} packages={c.packages} />
            </section>
          ) : null}
          <section className="panel cmp-wide" aria-labelledby="cmp-files">
            <h2 id="cmp-files" className="panel-title">
              Rootfs files
            </h2>
            <Files c={c} />
          </section>
          <section className="panel cmp-wide" aria-labelledby="cmp-treemap">
            <h2 id="cmp-treemap" className="panel-title">
              Rootfs size by directory
            </h2>
            <div className="cmp-pair">
              <Treemap side={c.a} label={`Rootfs of build ${a} by directory`} />
              <Treemap side={c.b} label={`Rootfs of build ${b} by directory`} />
            </div>
          </section>
          <section className="panel" aria-labelledby="cmp-stages">
            <h2 id="cmp-stages" className="panel-title">
              Stage timings
            </h2>
            <Stages c={c} />
          </section>
          <section className="panel" aria-labelledby="cmp-checks">
            <h2 id="cmp-checks" className="panel-title">
              Checks
            </h2>
            <Checks c={c} />
          </section>
          <section className="panel cmp-wide" aria-labelledby="cmp-spec">
            <h2 id="cmp-spec" className="panel-title">
              Spec diff
            </h2>
            <SpecDiff c={c} />
          </section>
        </div>
      )}
    </div>
  );
}
