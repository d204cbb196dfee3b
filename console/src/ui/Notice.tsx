import type { ReactNode } from 'react';

// Messages after an action: errors interrupt (role=alert), confirmations wait their turn.

export function ErrorNotice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="notice notice-error" role="alert">
      {children}
    </div>
  );
}

export function StatusNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-ok" role="status">
      {children}
    </div>
  );
}
