import { useId, useState, type FormEvent } from 'react';

/**
 * Shown where no native folder dialog exists (the browser): the user types the path. A path
 * that does not open is an error under the field, which keeps what was typed.
 */
export function OpenFolderForm({
  initial,
  busy,
  error,
  onOpen,
  onCancel,
}: {
  initial: string;
  busy: boolean;
  error?: string | null;
  onOpen(dir: string): void;
  onCancel(): void;
}) {
  const [dir, setDir] = useState(initial);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dir.trim()) onOpen(dir.trim());
  };
  return (
    <form className="path-form" onSubmit={submit}>
      <label htmlFor={id}>Appliance folder</label>
      <input
        id={id}
        type="text"
        className="mono"
        value={dir}
        spellCheck={false}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        placeholder="/path/to/appliance (the folder holding appliance.yaml)"
        onChange={(e) => setDir(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
        }}
      />
      <button type="submit" className="button primary" disabled={busy || !dir.trim()}>
        {busy ? 'Opening…' : 'Open'}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
