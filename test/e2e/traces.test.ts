import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createPostgresDatabase, databaseKinds } from '../helpers/databases.ts';
import { runCli, startDaemonProcess, tempDir } from '../helpers/daemon.ts';
import { newUser } from '../helpers/scim.ts';

// Traces over OTLP/HTTP to an in-process receiver: a SCIM POST gives a server span with its route,
// status and request id, and the database queries it made as its children in the same trace —
// with placeholders for values, so no token or name reaches the collector.

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

async function receiver() {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text);
      const parsed = JSON.parse(text) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const r of parsed.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    spans,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

for (const kind of databaseKinds()) {
  test.serial(`[${kind}] a SCIM POST is traced: the request span and its queries`, async (t) => {
    const otlp = await receiver();
    const pg = kind === 'postgres' ? await createPostgresDatabase() : null;
    const env = {
      ...(pg ? { DATABASE_URL: pg.url } : { PROVISIOND_DATA_DIR: tempDir() }),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
    };
    const daemon = await startDaemonProcess(env);
    try {
      const key = JSON.parse(
        (
          await runCli(
            [
              'keys',
              'create',
              '--title',
              'trace',
              '--role',
              'editor',
              '--expires-in-days',
              '30',
              '--scope',
              'scim',
              '--json',
            ],
            env,
          )
        ).stdout,
      );
      const response = await fetch(`${daemon.url}/scim/v2/Users`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key.secret}`,
          'content-type': 'application/scim+json',
        },
        body: JSON.stringify(newUser('traced.person@example.com')),
      });
      t.is(response.status, 201, await response.text());
      const requestId = response.headers.get('x-request-id');
      t.truthy(requestId);

      const until = Date.now() + 30_000;
      let server: OtlpSpan | undefined;
      while (!server && Date.now() < until) {
        server = otlp.spans.find((s) => attr(s, 'provisiond.request_id') === requestId);
        if (!server) await new Promise((r) => setTimeout(r, 200));
      }
      if (!server) return t.fail('no span for the SCIM POST arrived');
      t.is(server.name, 'POST /scim/v2/Users');
      t.is(attr(server, 'http.response.status_code'), 201);
      // Its queries arrive in the same or a later batch.
      let queries: OtlpSpan[] = [];
      while (Date.now() < until) {
        queries = otlp.spans.filter(
          (s) => s.traceId === server!.traceId && attr(s, 'db.system') === 'postgresql',
        );
        if (queries.some((q) => /insert into "?members"? /i.test(String(attr(q, 'db.query.text')))))
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      t.true(
        queries.some((q) => /insert into "?members"? /i.test(String(attr(q, 'db.query.text')))),
        'the member insert is a span of the request',
      );
      t.true(queries.every((q) => q.parentSpanId !== undefined && q.parentSpanId !== ''));
      const everything = otlp.bodies.join('\n');
      t.false(everything.includes(key.secret), 'no API key');
      t.false(everything.includes('traced.person@example.com'), 'no bound values');
    } finally {
      await daemon.stop();
      await otlp.close();
      await pg?.drop();
    }
  });
}
