import type { Problem } from '../../../src-main/api/contract';

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** Spec problems as `file:line:col: message`, the form editors and terminals can jump to. */
export function ProblemList({ problems }: { problems: Problem[] }) {
  const label = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in the appliance spec`;
  return (
    <section className="problems" aria-label="Validation errors">
      <h2 className="problems-title">{label}</h2>
      <ol className="problem-list">
        {problems.map((p, i) => (
          <li key={i} className="problem">
            <code className="problem-location" title={p.file}>
              {basename(p.file)}:{p.line}:{p.col}
            </code>
            <span className="problem-message">{p.message}</span>
            {p.path ? <code className="problem-path">{p.path}</code> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
