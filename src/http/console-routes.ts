import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sendProblem } from './problem.ts';

// The administrators' console: a single-page app built by Vite into console/dist (at npm install)
// and served here as static files. Every console address that is not a file gets index.html, so
// that deep links and reloads open the right screen; the app itself shows unknown screens.

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** console/dist, found from src/http (run by tsx) or dist/src/http (the compiled daemon). */
function consoleDirectory(): string | null {
  for (let dir = HERE, up = 0; up < 5; dir = path.dirname(dir), up++) {
    const candidate = path.join(dir, 'console', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

// Everything the console loads comes from the daemon itself; nothing is fetched elsewhere.
const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
].join('; ');

export function consoleRoutes(): Router {
  const router = Router();
  const directory = consoleDirectory();
  router.use('/console', (_req, res, next) => {
    res.set({
      'Content-Security-Policy': POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });
  if (!directory) {
    router.use('/console', (_req, res) =>
      sendProblem(
        res,
        503,
        'Console not built',
        'the console is built at npm install; run "npm run build:console" in the daemon folder',
      ),
    );
    return router;
  }
  router.use(
    '/console/assets',
    express.static(path.join(directory, 'assets'), {
      immutable: true,
      maxAge: '365d',
      fallthrough: false,
    }),
  );
  router.get(/^\/console(\/.*)?$/, (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(path.join(directory, 'index.html'));
  });
  return router;
}
