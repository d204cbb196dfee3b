import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { api, startDaemonProcess, tempDir } from '../helpers/daemon.ts';

// The browser-facing headers of the pages and who may read /metrics, against the real daemon.

test.serial(
  'pages send a CSP without inline scripts, no framing, nosniff and no Referer',
  async (t) => {
    const dir = tempDir('provisiond-headers-');
    const daemon = await startDaemonProcess({ PROVISIOND_DATA_DIR: path.join(dir, 'data') });
    try {
      for (const page of ['/auth/sign-in', '/invitations/accept?token=nothing']) {
        const response = await fetch(`${daemon.url}${page}`, { headers: { accept: 'text/html' } });
        await response.text();
        const csp = response.headers.get('content-security-policy') ?? '';
        t.regex(csp, /script-src 'self'(;|$)/, page);
        t.notRegex(csp, /unsafe-inline|unsafe-eval/, page);
        t.regex(csp, /frame-ancestors 'none'/, page);
        t.regex(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/, page);
        t.is(response.headers.get('x-frame-options'), 'DENY', page);
        t.is(response.headers.get('x-content-type-options'), 'nosniff', page);
        t.is(response.headers.get('referrer-policy'), 'no-referrer', page);
        t.is(response.headers.get('strict-transport-security'), null, 'no HSTS over http');
      }
      // Direct from this machine, /metrics answers; relayed by a proxy, it does not.
      t.is((await api(daemon.url, 'GET', '/metrics')).status, 200);
      const relayed = await fetch(`${daemon.url}/metrics`, {
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      t.is(relayed.status, 403);
      t.regex(await relayed.text(), /metrics\.token/);
    } finally {
      await daemon.stop();
    }
  },
);

test.serial(
  'metrics.token guards /metrics; metrics.port moves it to a listener of its own',
  async (t) => {
    const dir = tempDir('provisiond-metrics-');
    const config = path.join(dir, 'provisiond.yaml');
    writeFileSync(config, 'metrics:\n  token: { env: METRICS_TOKEN }\n  port: 0\n');
    const daemon = await startDaemonProcess({
      PROVISIOND_DATA_DIR: path.join(dir, 'data'),
      PROVISIOND_CONFIG: config,
      METRICS_TOKEN: 'scrape-me-7781',
    });
    try {
      t.is((await api(daemon.url, 'GET', '/metrics')).status, 404, 'not on the main listener');
      const metricsUrl = /"metricsUrl":"([^"]+)"/.exec(daemon.output())![1]!;
      t.is((await fetch(metricsUrl)).status, 401);
      t.is(
        (await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token' } })).status,
        401,
      );
      const scraped = await fetch(metricsUrl, {
        headers: { authorization: 'Bearer scrape-me-7781' },
      });
      t.is(scraped.status, 200);
      t.regex(await scraped.text(), /process_cpu_user_seconds_total/);
    } finally {
      await daemon.stop();
    }
  },
);
