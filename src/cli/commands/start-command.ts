import { Command } from 'commander';
import { configOf } from '../cli-context.ts';

// Under `npm start` and `npx provisiond start` the daemon is not the process the user started:
// npm runs it through `sh -c`, and a signal sent to npm ends npm and the shell without reaching
// the daemon, which would be left running with no parent. So when npm started it, the daemon also
// stops when its parent goes away.
const PARENT_CHECK_MS = 500;

export function startCommand(): Command {
  return new Command('start')
    .description('start the daemon (HTTP API on 127.0.0.1:8080 unless configured otherwise)')
    .action(async (_f, command: Command) => {
      const config = await configOf(command);
      const { startDaemon } = await import('../../daemon/daemon.ts');
      const daemon = await startDaemon(config);
      let signals = 0;
      const stop = (signal: NodeJS.Signals | 'parent exited') => {
        signals += 1;
        if (signals > 1) process.exit(1);
        daemon.opened.ctx.log.info({ signal }, 'shutdown requested');
        daemon.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            daemon.opened.ctx.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      if (process.env.npm_command || process.env.npm_lifecycle_event) {
        const parent = process.ppid;
        const watch = setInterval(() => {
          if (process.ppid === parent) return;
          clearInterval(watch);
          stop('parent exited');
        }, PARENT_CHECK_MS);
        watch.unref();
      }
    });
}
