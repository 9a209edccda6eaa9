// The session identity a request carries, used to keep a session on the channel that served it
// (so upstream prompt caches keep hitting): prompt_cache_key, session headers, Anthropic user id.
// Stored as a fixed-size hash scoped to the API key: a client-chosen key of any length costs the
// relay 40 bytes, and one key's session names never steer another key's requests.
import type { IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import type { Principal } from '../access/catalog.ts';

function sessionOf(headers: IncomingHttpHeaders, body: Record<string, any>): string | undefined {
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key) return `pck:${body.prompt_cache_key}`;
  for (const name of ['session-id', 'session_id', 'x-claude-code-session-id']) {
    const value = headers[name];
    if (typeof value === 'string' && value) return `sid:${value}`;
  }
  const user = body.metadata?.user_id;
  if (typeof user === 'string' && user) return `uid:${user}`;
  return undefined;
}

export function affinityKeyOf(headers: IncomingHttpHeaders, body: Record<string, any>, principal: Principal | undefined): string | undefined {
  const session = sessionOf(headers, body);
  if (session === undefined) return undefined;
  const owner = principal ? String(principal.key.id) : '-';
  return `aff:${createHash('sha256').update(owner).update('\0').update(session).digest('base64url')}`;
}
