import { useState } from 'react';
import { invoke, transport } from '../../api/client';
import { openedMessage } from './spec-line';

/**
 * "appliance.yaml:12" for a check or a spec problem. In the desktop app it is a link that opens
 * the file at that line in the user's editor (the engine's appliance.openSpec); in the browser,
 * which cannot start programs on the machine, it shows the line, with the file's path on hover.
 */
export function SpecLine({ dir, line, specFile, col, className = 'check-line mono small' }: { dir?: string | null; line: number; specFile?: string; col?: number; className?: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const text = `appliance.yaml:${line}${col !== undefined ? `:${col}` : ''}`;
  const where = specFile ? `${specFile}, line ${line}` : `line ${line} of appliance.yaml`;
  if (transport !== 'ipc' || !dir) {
    return (
      <span className={className} title={where}>
        {text}
      </span>
    );
  }
  const open = async () => {
    setSaid('Opening…');
    const r = await invoke('appliance.openSpec', { dir, line });
    setSaid(r.ok ? openedMessage(r.value, line) : r.error.message);
  };
  return (
    <span className={className}>
      <button type="button" className="link-button mono" title={`Open ${where} in your editor`} onClick={() => void open()}>
        {text}
      </button>
      {said ? (
        <span className="muted" role="status">
          {' '}
          {said}
        </span>
      ) : null}
    </span>
  );
}
