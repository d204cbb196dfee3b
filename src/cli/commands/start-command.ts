import { Command } from 'commander';
import { startDaemon } from '../../daemon/daemon.ts';
import { configOf } from '../cli-context.ts';

export function startCommand(): Command {
  return new Command('start')
    .description('start the daemon (HTTP API on 127.0.0.1:8080 unless configured otherwise)')
    .action(async (_f, command: Command) => {
      const daemon = await startDaemon(configOf(command));
      let signals = 0;
      const stop = (signal: NodeJS.Signals) => {
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
    });
}
