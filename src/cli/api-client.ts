import { request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';
import type { Config } from '../config/config-schema.ts';
import { controlSocketPath } from '../daemon/control-socket.ts';
import { ORG_HEADER } from '../http/org-header.ts';

// The CLI is a client of the admin API, so it behaves exactly as the API does. It talks to the
// running daemon of its database through the daemon's local socket; with no daemon answering
// there (on PostgreSQL, a daemon on another machine, or none) it opens the database itself and
// serves the same API in-process on a private socket for the length of one command. Only that
// second way loads the database and the HTTP app, so a command answered by the daemon starts at
// once.

export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  issues?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export interface ApiClient {
  via: 'daemon' | 'direct';
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Sends a file as the raw body, streamed (imports). */
  upload<T = unknown>(path: string, body: Readable, contentType: string): Promise<T>;
  /** A GET whose answer is not JSON (templates). */
  text(path: string): Promise<string>;
  /** A GET whose answer is read as it comes (a database copy). */
  stream(path: string): Promise<Readable>;
  close(): Promise<void>;
}

function call(
  socketPath: string,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: unknown,
  stream?: Readable,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // No keep-alive agent: its sockets time out after 5 s even while a request waits for its answer,
    // and a request may well wait longer (on PGlite, behind a batch of an import being applied).
    const req = httpRequest(
      {
        socketPath,
        agent: false,
        path: urlPath,
        method,
        headers: {
          ...headers,
          ...(payload !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (stream) {
      stream.on('error', (error) => req.destroy(error));
      stream.pipe(req);
    } else req.end(payload);
  });
}

function clientFor(
  socketPath: string,
  via: ApiClient['via'],
  org: string | undefined,
  close: () => Promise<void>,
): ApiClient {
  const headers: Record<string, string> = org ? { [ORG_HEADER]: org } : {};
  const answer = <T>({ status, text }: { status: number; text: string }): T => {
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (status >= 400) throw new ApiError(status, (parsed ?? {}) as Problem);
    return parsed as T;
  };
  return {
    via,
    async request<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
      return answer<T>(await call(socketPath, method, urlPath, headers, body));
    },
    async upload<T>(urlPath: string, body: Readable, contentType: string): Promise<T> {
      return answer<T>(
        await call(
          socketPath,
          'POST',
          urlPath,
          { ...headers, 'content-type': contentType },
          undefined,
          body,
        ),
      );
    },
    stream(urlPath: string): Promise<Readable> {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { socketPath, agent: false, path: urlPath, method: 'GET', headers },
          (res) => {
            if ((res.statusCode ?? 0) >= 400) {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                try {
                  answer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
                } catch (error) {
                  reject(error);
                }
              });
              return;
            }
            resolve(res);
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
    async text(urlPath: string): Promise<string> {
      const result = await call(socketPath, 'GET', urlPath, headers);
      if (result.status >= 400) return answer<string>(result);
      return result.text;
    },
    close,
  };
}

async function daemonAnswers(socketPath: string): Promise<boolean> {
  try {
    return (await call(socketPath, 'GET', '/healthz', {})).status === 200;
  } catch {
    return false;
  }
}

export async function connect(config: Config, org: string | undefined): Promise<ApiClient> {
  const socketPath = controlSocketPath(config.database);
  if (socketPath && (await daemonAnswers(socketPath)))
    return clientFor(socketPath, 'daemon', org, async () => {});
  // The database opens (the embedded one in its own thread) while the API's modules load.
  const { openStore } = await import('../daemon/open-store.ts');
  const [loaded, opened] = await Promise.allSettled([
    import('./in-process-api.ts'),
    openStore(config, 'cli'),
  ]);
  if (opened.status === 'rejected') throw opened.reason;
  if (loaded.status === 'rejected') {
    await opened.value.close();
    throw loaded.reason;
  }
  const served = await loaded.value.serveInProcess(config, opened.value);
  return clientFor(served.socketPath, 'direct', org, served.close);
}
