// The HTTP server's own limits against idle and slow clients: time to send the headers, time to
// send the whole request, how long an idle keep-alive connection stays open, and how many
// connections may be open at once (more are refused at accept). None applies to the answer: a
// long stream from the upstream is never cut by them.
import type { Server, ServerOptions } from 'node:http';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  /** 0: no limit on receiving the whole request. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Options for node:http's createServer; expired connections are swept at least once a second. */
export function serverOptions(limits: ConnectionLimits): ServerOptions {
  const request = limits.requestTimeoutMs;
  const headers = request > 0 ? Math.min(limits.headersTimeoutMs, request) : limits.headersTimeoutMs;
  return {
    headersTimeout: headers,
    requestTimeout: request,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headers / 2))),
  };
}

export function applyConnectionCap(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
}
