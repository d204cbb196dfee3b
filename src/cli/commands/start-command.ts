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
      // The handlers are in place before the daemon starts: a signal that arrives while it starts
      // (or just after it said so) stops it cleanly once it is up, rather than killing it.
      const starting = startDaemon(config);
      let signals = 0;
      const stop = (signal: NodeJS.Signals | 'parent exited') => {
        signals += 1;
        if (signals > 1) process.exit(1);
        starting.then(
          async (daemon) => {
            daemon.opened.ctx.log.info({ signal }, 'shutdown requested');
            try {
              await daemon.stop();
            } catch (error) {
              daemon.opened.ctx.log.error({ err: error }, 'shutdown failed');
              process.exit(1);
            }
            process.exit(0);
          },
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      await starting;
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
