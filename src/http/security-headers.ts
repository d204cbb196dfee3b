import { createHash } from 'node:crypto';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { PAGE_STYLE } from './auth/pages/html.ts';

// The browser-facing hardening of every answer: a Content-Security-Policy that allows only
// same-origin scripts, styles, images and connections (what a bundle built by Vite and served
// from this origin needs; no inline script anywhere) plus the pages' one inline style sheet by
// its hash; no framing by anyone (clickjacking); no MIME sniffing; no Referer leaving the daemon
// (invitation links carry their token in the URL). HSTS only when the public URL is https.

const styleHash = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

export function securityHeaders(publicUrl: string | undefined): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", styleHash],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: publicUrl?.startsWith('https://') ? { maxAge: 31_536_000 } : false,
  });
}
