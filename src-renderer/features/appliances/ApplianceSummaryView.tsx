import type { ApplianceSummary } from '../../../src-main/api/contract';
import { DebianBase } from './DebianBase';
import { ProblemList } from './ProblemList';

function Fact({ label, value, wide }: { label: string; value: string | number | undefined; wide?: boolean }) {
  return (
    <div className={wide ? 'fact fact-wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{value === undefined || value === '' ? '—' : value}</dd>
    </div>
  );
}

export function ApplianceSummaryView({ summary }: { summary: ApplianceSummary }) {
  const title = summary.name ?? summary.dir.split(/[\\/]/).pop() ?? summary.dir;
  return (
    <article className="appliance" aria-label={`Appliance ${title}`}>
      <header className="appliance-header">
        <div className="appliance-title">
          <h2>{title}</h2>
          {summary.version ? <span className="badge">{summary.version}</span> : null}
          <span className={summary.valid ? 'chip chip-ok' : 'chip chip-bad'}>{summary.valid ? 'valid' : 'invalid'}</span>
        </div>
        <p className="mono muted path" title={summary.specFile}>
          {summary.specFile}
        </p>
        {summary.description ? <p className="appliance-description">{summary.description}</p> : null}
      </header>

      {!summary.valid ? <ProblemList problems={summary.problems} /> : null}

      {summary.valid ? (
        <>
          <dl className="facts">
            <Fact label="Memory" value={summary.memory} />
            <Fact label="OS disk" value={summary.disks.os} />
            <Fact label="Data disk" value={summary.disks.data} />
            <Fact label="Checks" value={summary.checks} />
            <Fact label="Outputs" value={summary.outputs.join(', ')} wide />
          </dl>

          {summary.debian ? <DebianBase dir={summary.dir} debian={summary.debian} /> : null}

          <section aria-label="Services" className="subsection">
            <h3>Services</h3>
            {summary.services.length === 0 ? (
              <p className="muted">No services.</p>
            ) : (
              <table className="grid" aria-label="Services">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Command</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.services.map((s) => (
                    <tr key={s.name}>
                      <td>{s.name}</td>
                      <td className="mono">{s.run}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-label="Port forwards" className="subsection">
            <h3>Port forwards</h3>
            {summary.forwards.length === 0 ? (
              <p className="muted">No ports forwarded.</p>
            ) : (
              <ul className="forwards">
                {summary.forwards.map((f) => (
                  <li key={f.guest} className="mono">
                    guest :{f.guest} → host {f.host ? `:${f.host}` : '(any free port)'}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
    </article>
  );
}
