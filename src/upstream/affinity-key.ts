// The session identity a request carries, used to keep a session on the channel that served it
// (so upstream prompt caches keep hitting): prompt_cache_key, session headers, Anthropic user id.
import type { IncomingHttpHeaders } from 'node:http';

export function affinityKeyOf(headers: IncomingHttpHeaders, body: Record<string, any>): string | undefined {
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key) return `pck:${body.prompt_cache_key}`;
  for (const name of ['session-id', 'session_id', 'x-claude-code-session-id']) {
    const value = headers[name];
    if (typeof value === 'string' && value) return `sid:${value}`;
  }
  const user = body.metadata?.user_id;
  if (typeof user === 'string' && user) return `uid:${user}`;
  return undefined;
}
