import type { ReactNode } from 'react';

// A screen's title: focusable by script (tabIndex -1) so navigation can move the focus to it.
export function Heading({ children }: { children: ReactNode }) {
  return (
    <h1 tabIndex={-1} className="screen-title">
      {children}
    </h1>
  );
}
