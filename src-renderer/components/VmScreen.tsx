import { useEffect, useState } from 'react';
import { invoke } from '../api/client';

/**
 * A VM's screen as a PNG the engine returns base64-encoded: the console a VirtualBox or VMware
 * window would show (kernel and init messages, the console shell). `load` fetches it; `stamp`
 * changing fetches again.
 */
export function VmScreen({ load, stamp, label, title }: { load: () => ReturnType<typeof invoke<'builds.screenshot'>> | ReturnType<typeof invoke<'vms.screen'>>; stamp: string | number; label: string; title?: string }) {
  const [png, setPng] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    setError(null);
    void load().then((r) => {
      if (gone) return;
      if (r.ok) setPng(r.value.png);
      else setError(r.error.message);
    });
    return () => {
      gone = true;
    };
    // `load` is a fresh closure each render; `stamp` says when to fetch again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp]);
  if (error) return <p className="muted small">No screen: {error}</p>;
  if (!png) return null;
  return (
    <>
      {title ? <h3 className="panel-title">{title}</h3> : null}
      <img className="vm-screen" src={`data:image/png;base64,${png}`} alt={label} />
    </>
  );
}
