import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics of one daemon. Each daemon has its own registry so that tests starting
// several in one process do not share counters.
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly syncRuns: Counter<'source' | 'mode' | 'status'>;
  readonly syncDuration: Histogram<'source' | 'mode'>;
  readonly syncChanges: Counter<'source' | 'change'>;
  readonly syncLastSuccess: Gauge<'source'>;
  readonly retentionPruned: Counter<'kind'>;
  readonly syncHeld: Gauge<'source'>;
  readonly syncQuarantined: Gauge<'source'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'provisiond_' });
    this.httpDuration = new Histogram({
      name: 'provisiond_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.syncRuns = new Counter({
      name: 'provisiond_sync_runs_total',
      help: 'Directory sync runs by source, mode and final status',
      labelNames: ['source', 'mode', 'status'],
      registers: [this.registry],
    });
    this.syncDuration = new Histogram({
      name: 'provisiond_sync_duration_seconds',
      help: 'Duration of directory sync runs',
      labelNames: ['source', 'mode'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [this.registry],
    });
    this.syncChanges = new Counter({
      name: 'provisiond_sync_changes_total',
      help: 'Records by what a sync did with them (created, updated, unchanged, errors…)',
      labelNames: ['source', 'change'],
      registers: [this.registry],
    });
    this.syncLastSuccess = new Gauge({
      name: 'provisiond_sync_last_success_timestamp_seconds',
      help: 'When the source last synced successfully',
      labelNames: ['source'],
      registers: [this.registry],
    });
    this.retentionPruned = new Counter({
      name: 'provisiond_retention_pruned_total',
      help: 'History rows deleted by retention, by kind (sessions, syncRuns, sentMail, audit…)',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.syncHeld = new Gauge({
      name: 'provisiond_sync_held',
      help: 'Held runs of the source waiting for an administrator (1 while one waits, else 0)',
      labelNames: ['source'],
      registers: [this.registry],
    });
    this.syncQuarantined = new Gauge({
      name: 'provisiond_sync_quarantined',
      help: 'Whether the source is quarantined after repeated failures (1) or not (0)',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }
}
