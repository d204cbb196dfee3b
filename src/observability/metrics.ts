import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics of one daemon. Each daemon has its own registry so that tests starting
// several in one process do not share counters.
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'provisiond_' });
    this.httpDuration = new Histogram({
      name: 'provisiond_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }
}
