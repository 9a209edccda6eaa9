// Optional protection of GET /metrics: when a metrics token is configured, scrapers must send it
// as a Bearer token (compared in constant time); without one, /metrics stays open as before.
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../errors.ts';

const digest = (text: string) => Buffer.from(hash('sha256', text, 'hex'), 'hex');

export function requireMetricsToken(headers: IncomingHttpHeaders, token: string | undefined): void {
  if (!token) return;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!match || !timingSafeEqual(digest(match[1]), digest(token))) {
    throw unauthorized('GET /metrics needs the metrics token: send it as "Authorization: Bearer <token>".', 'invalid_metrics_token');
  }
}
