// What of an upstream's error message a client may see: the channel's own key and anything that
// looks like a credential are replaced (an upstream may echo the key it was sent, or another
// tenant's data in a debug message), and the text is capped in length.
import type { ChannelRecord } from '../store/catalog-store.ts';
import { redactSecrets } from '../compaction/secrets.ts';

/** The longest upstream error message passed on; longer ones are cut. */
export const UPSTREAM_MESSAGE_MAX = 4096;

/** `text` with the channel's key and anything credential-like replaced. */
export function redactCredentials(text: string, channel: Pick<ChannelRecord, 'apiKey'>): string {
  const key = channel.apiKey;
  const withoutKey = key && key.length >= 8 ? text.split(key).join('[redacted channel key]') : text;
  return redactSecrets(withoutKey);
}

/** An upstream error message as a client may see it: capped, then redacted. */
export function redactUpstreamMessage(message: string, channel: Pick<ChannelRecord, 'apiKey'>): string {
  return redactCredentials(message.length > UPSTREAM_MESSAGE_MAX ? `${message.slice(0, UPSTREAM_MESSAGE_MAX)}…` : message, channel);
}

/** An upstream `retry-after` worth passing on: seconds or an HTTP date, nothing else. */
export function safeRetryAfter(value: unknown): string | undefined {
  return typeof value === 'string' && /^(?:\d{1,7}|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)$/.test(value.trim()) ? value.trim() : undefined;
}
