// How each channel type authenticates to its upstream: OpenAI-format APIs take the key as a
// Bearer token; Anthropic's API takes it as `x-api-key` and also requires `anthropic-version`.
import type { ChannelRecord } from '../store/catalog-store.ts';

/** The Messages API version sent when the client did not choose one. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Headers that authenticate a call to the channel; `headers` are those already chosen for the call. */
export function channelAuthHeaders(channel: ChannelRecord, headers: Record<string, string> = {}): Record<string, string> {
  if (channel.type === 'anthropic') {
    const out: Record<string, string> = { 'anthropic-version': headers['anthropic-version'] ?? DEFAULT_ANTHROPIC_VERSION };
    if (channel.apiKey) out['x-api-key'] = channel.apiKey;
    return out;
  }
  return channel.apiKey ? { authorization: `Bearer ${channel.apiKey}` } : {};
}
