// Assembles a running relay: configuration → store → catalog → usage log → HTTP server, and
// takes it down gracefully (stop accepting, let in-flight requests finish, flush usage, close).
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { RelayConfig } from './config/config.ts';
import { openStore, type StoreHandle } from './store/database.ts';
import { CatalogStore } from './store/catalog-store.ts';
import { UsageLog } from './store/usage-log.ts';
import { LiveCatalog } from './access/catalog.ts';
import { createUpstreamAgent } from './upstream/agent.ts';
import { createRelayServer, healthz, metricsRoute, type RelayServer, type RouteTable } from './http/server.ts';
import { createSharedState } from './state/shared-state.ts';
import { layeredSummaryCache } from './state/layered-cache.ts';
import { createResponseStore } from './state/response-store.ts';
import { ChannelHealthTracker } from './upstream/health.ts';
import { AccessLimiter } from './access/limits.ts';
import { UsageLedger } from './access/quotas.ts';
import { RelayMetrics } from './observability/metrics.ts';
import { listModels, retrieveModel } from './http/routes/models.ts';
import { responsesCompact } from './http/routes/responses-compact.ts';
import { countMessageTokens } from './http/routes/count-tokens.ts';
import { modelRoutes } from './http/routes/model-routes.ts';
import { applyConfigCatalog } from './config/apply-catalog.ts';
import { CompactionSealer } from './compaction-api/sealing.ts';
import { CompactionPool } from './compaction-api/compaction-pool.ts';
import { loadServerSecret } from './store/server-secret.ts';
import { SecretBox } from './store/secret-box.ts';
import { StoreSummaryCache } from './store/summary-cache.ts';
import { AdminStore } from './store/admin-store.ts';
import { AdminAuth } from './console/admin-auth.ts';
import { adminRoutes } from './console/routes.ts';
import { startUsageRetention, type UsageRetention } from './store/usage-retention.ts';

export interface RunningRelay {
  url: string;
  port: number;
  store: StoreHandle;
  catalogStore: CatalogStore;
  catalog: LiveCatalog;
  usageLog: UsageLog;
  relayServer: RelayServer;
  logger: Logger;
  /** Prunes the usage log to its retention (also done at start and hourly). */
  usageRetention: UsageRetention;
  /** Admin API authentication; `generatedToken` is set only on the start that created the token. */
  adminAuth: AdminAuth;
  close(): Promise<void>;
}

export function buildRoutes(): RouteTable {
  return {
    'GET /healthz': healthz,
    'GET /metrics': metricsRoute,
    'GET /v1/models': listModels,
    'GET /v1/models/*': retrieveModel,
    ...modelRoutes(),
    'POST /v1/responses/compact': responsesCompact,
    'POST /v1/messages/count_tokens': countMessageTokens,
    'POST /compact/v1/messages/count_tokens': countMessageTokens,
    'GET /compact/v1/models': listModels,
    'GET /compact/v1/models/*': retrieveModel,
    'POST /compact/v1/responses/compact': responsesCompact,
  };
}

/**
 * JSON lines on stdout, written synchronously: when the reader of stdout is gone (EPIPE), pino stops
 * logging instead of retrying at exit forever, so a relay whose log pipe closed still stops on SIGTERM.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: { paths: ['*.authorization', '*.apiKey', '*.api_key', '*["x-api-key"]'], censor: '[redacted]' } }, pino.destination({ fd: 1, sync: true }));
}

export async function startRelay(config: RelayConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningRelay> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const serverSecret = await loadServerSecret(store.db, process.env.COMPACT_RELAY_SECRET);
  const catalogStore = new CatalogStore(store.db, new SecretBox(serverSecret), (problem) => logger.warn(problem));
  const sealedNow = await catalogStore.sealPlainKeys();
  if (sealedNow > 0) logger.info(`sealed ${sealedNow} upstream key(s) that were stored in plain text`);
  await applyConfigCatalog(catalogStore, config);
  const unreadable = (await catalogStore.listChannels()).filter((c) => c.apiKeyUnreadable).map((c) => c.name);
  if (unreadable.length > 0) {
    logger.warn(`the upstream keys of channel(s) ${unreadable.join(', ')} were sealed under another server secret and cannot be read: restore COMPACT_RELAY_SECRET, or set the keys again (channels update NAME --api-key …)`);
  }
  const catalog = await LiveCatalog.load(catalogStore, (err) => logger.warn({ err }, 'catalog refresh failed'));
  catalog.startPolling(config.catalogPollMs);
  const usageLog = new UsageLog(store.db, { sqlite: store.sqlite, onError: (err, rows) => logger.error({ err, rows }, 'usage log write failed; will retry'), onRefused: (err, row) => logger.error({ err, row }, 'usage row refused by the store; written to this log instead') });
  const usageRetention = startUsageRetention(store, config.usageRetentionDays, (err) => logger.error({ err }, 'pruning the usage log failed'), (rows) => logger.info(`pruned ${rows} usage row(s) older than ${config.usageRetentionDays} day(s)`));
  const agent = createUpstreamAgent();
  const sealer = new CompactionSealer(serverSecret, { ttlSec: config.sealedItemTtlSec });
  const state = await createSharedState(config.redisUrl, undefined, { maxEntries: config.memoryStateMaxEntries, planCacheBytes: config.compactionPlanCacheMb * 1024 * 1024 });
  const compactionPool = config.compactionWorkers === 0 ? undefined : new CompactionPool({ size: config.compactionWorkers, queueLimit: config.compactionQueueLimit });
  const summaryCache = state.summaryCache ? layeredSummaryCache(state.summaryCache, new StoreSummaryCache(store.db)) : new StoreSummaryCache(store.db);
  const health = new ChannelHealthTracker(state, { failureThreshold: config.circuitFailureThreshold, cooldownMs: config.circuitCooldownMs, minKeys: config.circuitMinKeys });
  const limiter = new AccessLimiter(state, new UsageLedger(store.db, state, config.prices));
  const metrics = new RelayMetrics();
  const routing = { retries: config.retries, retryStatuses: config.retryStatuses, affinityTtlSec: config.affinityTtlSec };
  const adminStore = new AdminStore(store.db);
  const adminAuth = await AdminAuth.load(adminStore, process.env.COMPACT_RELAY_ADMIN_TOKEN);
  // A generated admin token is shown by `serve` on stderr, never written to the log.
  const responseStore = createResponseStore(state);
  const relayServer = createRelayServer({ config, catalog, usageLog, agent, logger, sealer, summaryCache, state, health, limiter, metrics, routing, accessLog: config.accessLog, responseStore, compactionPool }, {
    ...buildRoutes(),
    ...adminRoutes({ catalogStore, catalog, adminStore, auth: adminAuth }),
  });
  await new Promise<void>((resolve, reject) => {
    relayServer.server.once('error', reject);
    relayServer.server.listen(config.port, config.host, () => resolve());
  });
  const { port } = relayServer.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    catalogStore,
    catalog,
    usageLog,
    relayServer,
    logger,
    adminAuth,
    usageRetention,
    close() {
      closing ??= (async () => {
        await relayServer.drain(config.shutdownGraceMs);
        await compactionPool?.close();
        catalog.stop();
        await usageLog.close();
        await usageRetention.close();
        await agent.close();
        await state.close();
        await store.close();
      })();
      return closing;
    },
  };
}
