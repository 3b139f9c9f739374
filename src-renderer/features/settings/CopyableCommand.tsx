import { useRef, useState } from 'react';

/** A shell command with a Copy button; when the clipboard is refused the text gets selected instead. */
export function CopyableCommand({ command, label }: { command: string; label: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'select'>('idle');
  const codeRef = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('copied');
    } catch {
      const el = codeRef.current;
      if (el) window.getSelection()?.selectAllChildren(el);
      setCopied('select');
    }
  };
  return (
    <div className="command-box">
      <code ref={codeRef} className="mono" aria-label={label}>
        {command}
      </code>
      <button type="button" className="button small" onClick={() => void copy()} aria-label={`Copy: ${label}`}>
        {copied === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {copied === 'select' ? <span className="muted small">Selected — press Ctrl+C to copy.</span> : null}
    </div>
  );
}
