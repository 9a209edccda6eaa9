// Authenticates a request by its API key, taken from `Authorization: Bearer` or `x-api-key`
// (the header Anthropic clients use). Unknown and revoked keys are both a 401.
import type { IncomingHttpHeaders } from 'node:http';
import type { CatalogIndex, Principal } from '../access/catalog.ts';
import { unauthorized } from '../errors.ts';

export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  return undefined;
}

export function authenticate(catalog: CatalogIndex, headers: IncomingHttpHeaders): Principal {
  const secret = presentedKey(headers);
  if (!secret) {
    throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".', 'missing_api_key');
  }
  const principal = catalog.authenticate(secret);
  if (!principal) throw unauthorized('Invalid API key: it is unknown or has been revoked.');
  return principal;
}
