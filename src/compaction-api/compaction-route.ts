// The one place that decides who compacts a Responses conversation: an upstream that compacts
// natively (OpenAI proper) when one serves the model and nothing relay-sealed is in the input,
// else the relay itself; a compaction item minted by an upstream no such channel can read is a 400.
import type { ChannelRecord } from '../store/catalog-store.ts';
import { badRequest, type GatewayError } from '../errors.ts';
import type { InputInspection } from './sealed-items.ts';

/** Channels that are OpenAI proper: they compact natively and can read OpenAI-minted blobs. */
export const nativeChannels = (channels: ChannelRecord[]) =>
  channels.filter((c) => c.type === 'openai-responses' && c.options.nativeCompaction === true);

export type CompactionRoute = { by: 'upstream'; channels: ChannelRecord[] } | { by: 'relay' };

export function foreignCompactionError(): GatewayError {
  return badRequest('The input carries a compaction item sealed by an upstream that no channel for this model can read.', 'input', 'invalid_encrypted_content');
}

export function compactionRouteOf(servable: ChannelRecord[], inspection: Pick<InputInspection, 'expanded' | 'upstreamCompaction'>): CompactionRoute {
  const native = nativeChannels(servable);
  if (native.length > 0 && inspection.expanded === 0) return { by: 'upstream', channels: native };
  if (inspection.upstreamCompaction.length > 0) throw foreignCompactionError();
  return { by: 'relay' };
}
