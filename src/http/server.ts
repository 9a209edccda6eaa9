// The relay's HTTP server on plain node:http: a table of routes, a request context per call,
// errors mapped once into the OpenAI shape, one usage row per authenticated request, connection
// limits against idle and slow clients, and a graceful drain.
import type { SummaryCache } from '../compaction/summarizer.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { LiveCatalog } from '../access/catalog.ts';
import type { RelayConfig } from '../config/config.ts';
import type { UsageLog } from '../store/usage-log.ts';
import { GatewayError, notFound } from '../errors.ts';
import { usageRowOf, type RequestContext } from './context.ts';
import { sendError, sendJson } from './respond.ts';
import { httpResponseSink } from './response-sink.ts';
import { absorbStreamErrors, answerFailure, logSafely, safely } from './request-guard.ts';
import { ClientGoneError } from '../upstream/send.ts';
import type { CompactionSealer } from '../compaction-api/sealing.ts';
import type { SharedState } from '../state/shared-state.ts';
import type { ChannelHealthTracker } from '../upstream/health.ts';
import type { RoutingSettings } from '../upstream/dispatch.ts';
import type { AccessLimiter } from '../access/limits.ts';
import { chargeOf } from '../access/charge.ts';
import { applyConnectionCap, serverOptions } from './connection-limits.ts';
import { requireMetricsToken } from './metrics-token.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { ResponseStore } from '../state/response-store.ts';
import type { CompactionPool } from '../compaction-api/compaction-pool.ts';

/**
 * What the composition root (app.ts) gives the server: every route hands it to a use case, which
 * declares the narrow part it reads (ForwardDeps, ResponsesDeps, CompactDeps in use-cases/).
 * Optional only where production may leave it out.
 */
export interface ServerDeps {
  config: RelayConfig;
  catalog: LiveCatalog;
  usageLog: UsageLog;
  agent: Agent;
  logger: Logger;
  /** Seals and opens the relay's own compaction items. */
  sealer: CompactionSealer;
  /** Where model summaries are cached by the hash of what they summarize (shared when Redis/Postgres are used). */
  summaryCache: SummaryCacheStore;
  /** Shared state (memory or Redis): limits, affinity, circuits. */
  state: SharedState;
  health: ChannelHealthTracker;
  routing: RoutingSettings;
  limiter: AccessLimiter;
  metrics: RelayMetrics;
  /** Worker threads that plan compactions off the event loop (in process when absent). */
  compactionPool?: CompactionPool;
  /** One structured log line per request (off by default: the usage log already records every request). */
  accessLog?: boolean;
  /** The Responses answers the relay served by translation, for `previous_response_id` and item references. */
  responseStore: ResponseStore;
}

/** The summary cache the compaction engine reads and writes. */
export type SummaryCacheStore = SummaryCache;

export type RouteHandler = (ctx: RequestContext, deps: ServerDeps) => Promise<void>;

export interface RouteTable {
  [methodAndPath: string]: RouteHandler;
}

export interface RelayServer {
  server: Server;
  /** Requests still being answered. */
  readonly inFlight: number;
  /** Stops accepting, waits for in-flight requests up to graceMs, then closes what is left. */
  drain(graceMs: number): Promise<void>;
}

// Request ids come from a pool of random bytes refilled 256 ids at a time: one randomBytes call
// per request cost about 5% of the relay's CPU under load.
const ID_BYTES = 12;
const ID_POOL_IDS = 256;
let idPool = Buffer.alloc(0);
let idOffset = 0;

function newRequestId(): string {
  if (idOffset >= idPool.length) {
    idPool = randomBytes(ID_BYTES * ID_POOL_IDS);
    idOffset = 0;
  }
  const id = 'req_' + idPool.toString('hex', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

/** Routes whose key ends in `/*` match every path under that prefix; tried only when no exact route matches. */
interface PrefixRoute {
  method: string;
  prefix: string;
  handler: RouteHandler;
}

function prefixRoutesOf(routes: RouteTable): PrefixRoute[] {
  return Object.entries(routes)
    .filter(([key]) => key.endsWith('/*'))
    .map(([key, handler]) => ({ method: key.slice(0, key.indexOf(' ')), prefix: key.slice(key.indexOf(' ') + 1, -1), handler }));
}

/** Admin API and console traffic is not model usage: it gets no usage row. */
const isAdminPath = (path: string) => path.startsWith('/admin/') || path === '/console' || path.startsWith('/console/');

/** The methods some route answers on `path` (exact routes, else prefix routes), for a 405's `Allow`. */
function allowedMethods(routes: RouteTable, path: string): string[] {
  const methods = new Set<string>();
  for (const key of Object.keys(routes)) {
    const [method, pattern] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
    if (pattern === path || (pattern.endsWith('/*') && path.startsWith(pattern.slice(0, -1)))) methods.add(method);
  }
  return [...methods].sort();
}

export function createRelayServer(deps: ServerDeps, routes: RouteTable): RelayServer {
  const prefixRoutes = prefixRoutesOf(routes);
  const prefixMatch = (method: string | undefined, path: string) => prefixRoutes.find((r) => (method === undefined || r.method === method) && path.startsWith(r.prefix));
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const ctx: RequestContext = {
      id: newRequestId(),
      req,
      res,
      startedAt: performance.now(),
      startedIso: new Date().toISOString(),
      endpoint: path,
      headers: req.headers,
      sink: httpResponseSink(res, () => ctx),
      streamed: false,
      usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 },
      abort: new AbortController(),
    };
    const exact = Object.hasOwn(routes, `${req.method} ${path}`) ? routes[`${req.method} ${path}`] : undefined;
    const prefixed = exact !== undefined || prefixRoutes.length === 0 ? undefined : prefixMatch(req.method, path);
    const handler = exact ?? prefixed?.handler;
    // The metrics label: the route's own path (a prefix route's prefix), never the raw request path.
    const route = exact !== undefined ? path : prefixed ? `${prefixed.prefix}*` : undefined;
    inFlight++;
    absorbStreamErrors(ctx, deps.logger);
    res.once('close', () => safely(deps.logger, 'request bookkeeping', ctx.id, () => {
      const answered = res.writableEnded || ctx.completed === true;
      if (!answered) ctx.abort.abort();
      const status = res.headersSent ? res.statusCode : 499;
      if (path !== '/healthz' && path !== '/metrics') {
        const row = usageRowOf(ctx, answered ? status : status === 200 ? 499 : status);
        if (!isAdminPath(path)) {
          // Only authenticated requests get a usage row: anonymous traffic (bad keys, scans) is counted in metrics alone.
          if (ctx.principal) safely(deps.logger, 'usage row', ctx.id, () => deps.usageLog.record(row));
          safely(deps.logger, 'metrics', ctx.id, () => deps.metrics?.observe(row, route));
        }
        if (deps.accessLog === true) safely(deps.logger, 'access log', ctx.id, () => deps.logger.info({ requestId: ctx.id, method: req.method, path, status: row.status, key: row.key_name, model: row.model, channel: row.channel, ms: row.latency_ms, ttfbMs: row.ttfb_ms, in: row.input_tokens, out: row.output_tokens, error: row.error_code ?? undefined }, 'request'));
        ctx.admission?.release(chargeOf(row)).catch((err) => logSafely(deps.logger, 'warn', { err }, 'releasing limits failed'));
      }
    }));
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    if (!handler) {
      req.resume();
      const allowed = allowedMethods(routes, path);
      const error = allowed.length > 0
        ? new GatewayError(405, 'invalid_request_error', 'method_not_allowed', `Method ${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}.`, { headers: { allow: allowed.join(', ') } })
        : notFound(`Unknown path: ${req.method} ${path.length > 256 ? `${path.slice(0, 255)}…` : path}`, 'unknown_url');
      sendError(ctx, error);
      return;
    }
    let running: Promise<void>;
    try {
      running = handler(ctx, deps);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.catch((err: unknown) => {
      if (err instanceof ClientGoneError || ctx.abort.signal.aborted) {
        if (!res.headersSent) res.destroy();
        return;
      }
      answerFailure(ctx, deps.logger, err);
    });
  };

  const server = createServer({ ...serverOptions(deps.config), noDelay: true }, onRequest);
  applyConnectionCap(server, deps.config);

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    async drain(graceMs: number) {
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
    },
  };
}

export const healthz: RouteHandler = async (ctx) => {
  sendJson(ctx, 200, { status: 'ok' });
};

export const metricsRoute: RouteHandler = async (ctx, deps) => {
  if (!deps.metrics) throw notFound('Metrics are not enabled.', 'unknown_url');
  requireMetricsToken(ctx.req.headers, deps.config.metricsToken);
  const { contentType, body } = await deps.metrics.render();
  ctx.res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  ctx.res.end(body);
};
