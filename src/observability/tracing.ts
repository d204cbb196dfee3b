import { randomUUID } from 'node:crypto';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';

// OpenTelemetry traces, sent over OTLP/HTTP when `tracing.endpoint` is configured and otherwise
// not made at all (the API's no-op tracer). Spans: each HTTP request (method, route pattern,
// status, request id — never the query string, headers or body), each database query (its SQL
// with placeholders, never the values bound to them), each LDAP operation, each sync run and each
// mail sent (by outbox id, never the recipient or body).

const TRACER = 'provisiond';

const tracer = () => trace.getTracer(TRACER);

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * The SDK and its exporter (about 350 modules) load only when traces are sent: every CLI command
 * and an untraced daemon start without them.
 */
export async function startTracing(options: {
  endpoint?: string | undefined;
  serviceName: string;
}): Promise<Tracing> {
  if (!options.endpoint) return { shutdown: async () => {} };
  const [
    { AsyncLocalStorageContextManager },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { BasicTracerProvider, BatchSpanProcessor },
  ] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint }), {
        scheduledDelayMillis: 500,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** Runs `work` in a span that ends with it, recording a failure. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Express middleware: one server span per request, the parent of what the request does. */
export function requestSpans() {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = randomUUID();
    const span = tracer().startSpan(`${req.method}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method,
        'url.path': req.path,
        'provisiond.request_id': requestId,
      },
    });
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(context.active(), span), next);
  };
}

/** A span per query, from knex's query events; the SQL has placeholders, the values are not kept. */
export function traceQueries(knex: Knex, system: string): void {
  const open = new Map<string, Span>();
  knex.on('query', (query: { __knexQueryUid: string; sql: string; method?: string }) => {
    open.set(
      query.__knexQueryUid,
      tracer().startSpan(`db ${query.method ?? 'query'}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': system, 'db.query.text': query.sql.slice(0, 2000) },
      }),
    );
  });
  const end = (query: { __knexQueryUid: string }, failed: boolean) => {
    const span = open.get(query.__knexQueryUid);
    if (!span) return;
    open.delete(query.__knexQueryUid);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  knex.on('query-response', (_r: unknown, query: { __knexQueryUid: string }) => end(query, false));
  knex.on('query-error', (_e: unknown, query: { __knexQueryUid: string }) => end(query, true));
}
