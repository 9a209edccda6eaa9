// How a channel authenticates to its upstream: decided by the adapter of the format it speaks
// (OpenAI formats: a Bearer token; Anthropic: `x-api-key` and `anthropic-version`).
import type { ChannelRecord } from '../store/catalog-store.ts';
import { adapterForChannelType } from '../adapters/registry.ts';

/** Headers that authenticate a call to the channel; `headers` are those already chosen for the call. */
export function channelAuthHeaders(channel: ChannelRecord, headers: Record<string, string> = {}): Record<string, string> {
  return adapterForChannelType(channel.type).authHeaders(channel.apiKey, headers);
}
