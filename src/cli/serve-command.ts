// `compact-relay serve`: runs the relay until SIGTERM/SIGINT, then drains in-flight requests and
// flushes the usage log before exiting.
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { createLogger, startRelay } from '../app.ts';
import { installProcessGuards } from '../observability/process-guard.ts';

export function registerServeCommand(program: Command): void {
  program.command('serve', { isDefault: true })
    .description('run the relay')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env COMPACT_RELAY_DATA, default ./data)')
    .option('--config <file>', 'YAML config file (env COMPACT_RELAY_CONFIG)')
    .action(async (opts) => {
      const config = loadConfig(opts);
      const logger = createLogger(config.logLevel);
      const relay = await startRelay(config, logger);
      logger.info({ url: relay.url, store: relay.store.location }, `compact-relay listening on ${relay.url}`);
      if (relay.catalog.current.channels.length === 0) {
        logger.info('no channels yet; add one with: npx compact-relay channels add --name openai --type openai-responses --base-url https://api.openai.com/v1 --api-key $OPENAI_API_KEY --models gpt-5.5');
      }
      if (relay.catalog.current.groups.size === 0) {
        logger.info('no groups or keys yet; create them with: npx compact-relay groups add --name default --models "*" && npx compact-relay keys create --name me --group default');
      }
      let stopping = false;
      const stop = (signal: string, exitCode = 0) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal, inFlight: relay.relayServer.inFlight }, 'shutting down: finishing in-flight requests');
        relay.close().then(
          () => {
            logger.info('stopped');
            process.exit(exitCode);
          },
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      installProcessGuards(logger, { onFatal: () => stop('uncaught exceptions', 1) });
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
