// Authenticates a request by its API key, taken from `Authorization: Bearer` or `x-api-key`
// (the header Anthropic clients use). Unknown and revoked keys are both a 401; a key made a moment
// ago is found by re-reading the catalog first.
import type { IncomingHttpHeaders } from 'node:http';
import type { LiveCatalog, Principal } from '../access/catalog.ts';
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

export async function authenticate(catalog: LiveCatalog, headers: IncomingHttpHeaders): Promise<Principal> {
  const secret = presentedKey(headers);
  if (!secret) {
    throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".', 'missing_api_key');
  }
  const principal = await catalog.authenticate(secret);
  if (!principal) throw unauthorized('Invalid API key: it is unknown or has been revoked.');
  return principal;
}
