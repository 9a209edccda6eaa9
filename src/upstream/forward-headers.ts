// Which client headers travel to the upstream: session and client-identification headers that
// upstreams use for caching and routing, and Anthropic's API version and beta flags. Credentials
// never do; the channel's own key is sent.
import type { IncomingHttpHeaders } from 'node:http';

const FORWARDED = ['session_id', 'session-id', 'thread-id', 'openai-beta', 'anthropic-beta', 'anthropic-version', 'x-client-request-id', 'originator', 'user-agent', 'x-stainless-lang'];

export function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-codex-') && typeof value === 'string') out[name] = value;
  }
  return out;
}
