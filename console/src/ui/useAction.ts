import { useState } from 'react';
import { ApiError } from '../api/client.ts';

// One write at a time from a form or a button: busy while it runs, the API's refusal kept for
// the fields it names and the message above the form.

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  async function run<T>(write: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await write();
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason), []));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return {
    busy,
    error,
    run,
    field: (name: string) => error?.forField(name),
    reset: () => setError(null),
  };
}
