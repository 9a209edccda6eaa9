// `compact-relay serve`: runs the relay until SIGTERM/SIGINT, then drains in-flight requests and
// flushes the usage log before exiting. Its start-up hints name its own store, so the commands
// they suggest manage this relay and not a new store elsewhere.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type RelayConfig } from '../config/config.ts';
import { createLogger, startRelay } from '../app.ts';
import { installProcessGuards } from '../observability/process-guard.ts';
import { redactUrl } from '../store/database.ts';

/** The flags (and note) that point a management command at this relay's store. */
export function storeSelector(config: RelayConfig, opts: { config?: string }, env: NodeJS.ProcessEnv = process.env): string {
  if (config.databaseUrl) {
    if (env.DATABASE_URL) return ` (with DATABASE_URL=${redactUrl(config.databaseUrl)} set, as for this relay)`;
    return ` --config ${resolve(opts.config ?? env.COMPACT_RELAY_CONFIG ?? '')}`;
  }
  return ` --data-dir ${config.dataDir}`;
}

function adminTokenBanner(token: string, url: string, selector: string): string {
  const rule = '='.repeat(72);
  return [
    '', rule,
    '  compact-relay admin token (shown only this once; stored as a hash):',
    '',
    `    ${token}`,
    '',
    `  Sign in at ${url}/console. Lost it? npx compact-relay admin-token --rotate${selector}`,
    rule, '', '',
  ].join('\n');
}

export function registerServeCommand(program: Command): void {
  program.command('serve', { isDefault: true })
    .description('run the relay (the default command)')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env COMPACT_RELAY_DATA, default ./data); DATABASE_URL selects PostgreSQL instead')
    .option('--config <file>', 'YAML config file (env COMPACT_RELAY_CONFIG)')
    .option('--headers-timeout-ms <ms>', 'time a client has to send request headers (env COMPACT_RELAY_HEADERS_TIMEOUT_MS, default 10000)')
    .option('--request-timeout-ms <ms>', 'time a client has to send a whole request, 0 for none (env COMPACT_RELAY_REQUEST_TIMEOUT_MS, default 120000)')
    .option('--keep-alive-timeout-ms <ms>', 'idle time before a keep-alive connection is closed (env COMPACT_RELAY_KEEP_ALIVE_TIMEOUT_MS, default 65000)')
    .option('--max-connections <n>', 'most client connections open at once (env COMPACT_RELAY_MAX_CONNECTIONS, default 4096)')
    .action(async (opts) => {
      const config = loadConfig(opts);
      const logger = createLogger(config.logLevel);
      const relay = await startRelay(config, logger);
      // Handlers first: a signal that arrives while the start-up lines are written still drains.
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
      const selector = storeSelector(config, opts);
      logger.info({ url: relay.url, store: relay.store.location }, `compact-relay listening on ${relay.url}`);
      if (relay.adminAuth.generatedToken) process.stderr.write(adminTokenBanner(relay.adminAuth.generatedToken, relay.url, selector));
      if (relay.catalog.current.channels.length === 0) {
        logger.info(`no channels yet; add one with: npx compact-relay channels add --name openai --type openai-responses --base-url https://api.openai.com/v1 --api-key $OPENAI_API_KEY --models gpt-5.5${selector}`);
      }
      if (relay.catalog.current.groups.size === 0) {
        logger.info(`no groups or keys yet; create them with: npx compact-relay groups add --name default --models "*"${selector} && npx compact-relay keys create --name me --group default${selector}`);
      }
    });
}
