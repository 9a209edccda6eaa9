// The one undici connection pool every upstream call shares: keep-alive, Nagle off, bounded
// connect time. Created once at start-up.
import { Agent } from 'undici';

export function createUpstreamAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 256,
    pipelining: 1,
    connect: { timeout: 10_000, noDelay: true },
  });
}
