import type { ReactNode } from 'react';

export function ScreenHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <header className="screen-header">
      <div className="screen-heading">
        <h1>{title}</h1>
        {subtitle ? <p className="screen-subtitle">{subtitle}</p> : null}
      </div>
      {children ? <div className="screen-actions">{children}</div> : null}
    </header>
  );
}
