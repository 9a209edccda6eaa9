// Chooses the channel for a request: among channels that serve the model and speak an acceptable
// wire format, the highest priority tier wins, and the weight decides within the tier.
import type { ChannelRecord, ChannelType } from '../store/catalog-store.ts';

/** Model name to send upstream, after the channel's alias table. */
export function upstreamModelFor(channel: ChannelRecord, model: string): string {
  return channel.options.aliases?.[model] ?? model;
}

/** Weighted choice within the highest-priority tier; `random` is injectable for tests. */
export function pickChannel(candidates: ChannelRecord[], random: () => number = Math.random): ChannelRecord | undefined {
  if (candidates.length === 0) return undefined;
  let top = -Infinity;
  for (const c of candidates) if (c.priority > top) top = c.priority;
  const tier = candidates.filter((c) => c.priority === top);
  if (tier.length === 1) return tier[0];
  const total = tier.reduce((sum, c) => sum + Math.max(c.weight, 0), 0);
  if (total <= 0) return tier[0];
  let roll = random() * total;
  for (const c of tier) {
    roll -= Math.max(c.weight, 0);
    if (roll < 0) return c;
  }
  return tier[tier.length - 1];
}

export function channelsSpeaking(channels: ChannelRecord[], types: ChannelType[]): ChannelRecord[] {
  return channels.filter((c) => types.includes(c.type));
}
