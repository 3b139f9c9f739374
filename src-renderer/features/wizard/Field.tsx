import { useId, type ReactNode } from 'react';

/** A labelled input with its problem right under it, tied together for screen readers. */
export function Field({
  label,
  value,
  onChange,
  error,
  hint,
  mono,
  placeholder,
  width,
  children,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  hint?: string;
  mono?: boolean;
  placeholder?: string;
  width?: 'narrow' | 'wide';
  children?: ReactNode;
}) {
  const id = useId();
  const note = `${id}-note`;
  return (
    <div className={`wz-field${width ? ` wz-${width}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="wz-input-row">
        <input
          id={id}
          type="text"
          className={mono ? 'mono' : undefined}
          value={value}
          spellCheck={false}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || hint ? note : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {children}
      </div>
      {error ? (
        <p id={note} className="wz-error" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p id={note} className="wz-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
