import { useSearch, useLocation } from 'wouter';

// A screen's filters, sort and page live in the address, so that a deep link or the Back button
// shows the same list.

export function useQueryState(): [URLSearchParams, (changes: Record<string, string>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    // Any change but the page itself starts again from the first page.
    if (!('page' in changes)) next.delete('page');
    const text = next.toString();
    navigate(text ? `${location}?${text}` : location);
  };
  return [params, update];
}
