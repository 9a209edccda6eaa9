// The wire formats the relay speaks and their adapters: format ↔ channel type ↔ client path, and
// for each client format the upstream formats that may serve it, in order. Code that depends on
// the format asks here instead of branching on its name; a new format is one line in each table.
import type { WireFormat } from '../conversation/model.ts';
import type { ChannelType } from '../store/catalog-store.ts';
import type { WireAdapter } from './adapter.ts';
import { chatAdapter } from './chat/index.ts';
import { responsesAdapter } from './responses/index.ts';
import { anthropicAdapter } from './anthropic/index.ts';

export type { WireFormat };

const ADAPTERS: Record<WireFormat, WireAdapter> = {
  chat: chatAdapter,
  responses: responsesAdapter,
  anthropic: anthropicAdapter,
};

/** For each client format, the upstream formats tried in order: its own first (forwarded untouched), then translated. */
export const UPSTREAM_PREFERENCE: Record<WireFormat, readonly WireFormat[]> = {
  chat: ['chat', 'responses', 'anthropic'],
  responses: ['responses', 'chat', 'anthropic'],
  anthropic: ['anthropic', 'chat', 'responses'],
};

export const WIRE_FORMATS = Object.keys(ADAPTERS) as WireFormat[];

export const adapterFor = (format: WireFormat): WireAdapter => ADAPTERS[format];

const BY_CHANNEL_TYPE = new Map<ChannelType, WireAdapter>(Object.values(ADAPTERS).map((adapter) => [adapter.channelType, adapter]));

/** The adapter for the format a channel type speaks. */
export function adapterForChannelType(type: ChannelType): WireAdapter {
  const adapter = BY_CHANNEL_TYPE.get(type);
  if (!adapter) throw new Error(`No wire adapter speaks channel type "${type}".`);
  return adapter;
}
