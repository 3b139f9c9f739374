import type { ReactNode } from 'react';

/** A failure the user should read: what went wrong, in a box that stands out. */
export function ErrorNotice({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      {children ? <div className="notice-body">{children}</div> : null}
    </div>
  );
}
