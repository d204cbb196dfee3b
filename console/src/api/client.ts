// The console's one door to the daemon: /api/v1 with the session cookie. Writes carry the
// session's CSRF token in a header. A 401 means the session ended: the browser goes to the
// sign-in page, which brings it back to the same screen.

export interface FieldIssue {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly issues: FieldIssue[],
  ) {
    super(detail);
  }

  /** The API's message for one field of a form, if it named that field. */
  forField(field: string): string | undefined {
    return this.issues.find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;
  }
}

const CSRF_HEADER = 'x-csrf-token';

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function signInUrl(language: string): string {
  const back = `${location.pathname}${location.search}`;
  return `/auth/sign-in?${new URLSearchParams({ lang: language, returnTo: back })}`;
}

let onSignedOut: () => void = () => location.assign(signInUrl(document.documentElement.lang));

/** Replaces what happens when the session has ended (the app passes its language along). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: { detail?: string; title?: string; issues?: FieldIssue[] } = {};
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(
    response.status,
    body.detail ?? body.title ?? response.statusText,
    Array.isArray(body.issues) ? body.issues : [],
  );
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { raw?: string | Blob; contentType?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let payload: string | Blob | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['content-type'] = options.contentType ?? 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    onSignedOut();
    throw await problemOf(response);
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
  /** A file as the request body (an import): the options go in the query. */
  upload: <T>(path: string, query: Query, file: string | Blob, contentType: string) =>
    request<T>('POST', withQuery(path, query), undefined, { raw: file, contentType }),
};
