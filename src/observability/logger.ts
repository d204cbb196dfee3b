import { pino, type Logger } from 'pino';

// Structured JSON logs on stdout. Secrets never reach them: request bodies are not logged, and
// these paths are redacted wherever they appear in a logged object. An error's `code`
// (ECONNREFUSED, an LDAP result) is not a secret and stays readable; the codes that are secrets
// (invitation codes, OAuth codes in a request) are redacted where a request would carry them.
const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'query.code',
  'body.code',
  'invitationCode',
  '*.invitationCode',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'bindCredentials',
  '*.bindCredentials',
];

export type { Logger };

/** Logs go to stdout for the daemon; the CLI sends them to stderr to keep its output clean. */
export function createLogger(level: string, to: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    {
      level,
      base: { service: 'provisiond' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    pino.destination(to === 'stdout' ? 1 : 2),
  );
}
