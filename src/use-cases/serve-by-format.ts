// Serves a Chat Completions, Responses or Anthropic Messages body from whichever channels the model
// has: channels of the client's own format first (forwarded untouched), then the other formats in
// a fixed order (translated through the neutral model). The one place that order is decided.
import type { RequestScope } from '../request/scope.ts';
import type { JsonObject } from '../json.ts';
import type { ChannelRecord, ChannelType } from '../store/catalog-store.ts';
import type { RelayFormat } from '../upstream/relay-response.ts';
import { channelsSpeaking } from '../upstream/router.ts';
import { forwardSameWire, forwardTranslated, type ForwardDeps, type ForwardOptions } from './forwarding.ts';
import { chatRequestToResponses, responsesEcho, responsesRequestToChat } from '../translate/request.ts';
import { anthropicRequestToOpenAI } from '../translate/anthropic-request.ts';
import { chatRequestToAnthropic, DEFAULT_ANTHROPIC_MAX_TOKENS, responsesRequestToAnthropic } from '../translate/anthropic-upstream-request.ts';
import { unavailable } from '../errors.ts';
import { decodeAnthropicRequest } from '../conversation/anthropic.ts';
import { countConversationTokens } from '../compaction/index.ts';
import { droppedParamsHeader, refuseUntranslatable } from '../translate/param-coverage.ts';

const CHANNEL_TYPE: Record<RelayFormat, ChannelType> = { chat: 'openai-chat', responses: 'openai-responses', anthropic: 'anthropic' };

/** For each client format, the upstream formats tried in order (its own first). */
const PREFERENCE: Record<RelayFormat, RelayFormat[]> = {
  chat: ['chat', 'responses', 'anthropic'],
  responses: ['responses', 'chat', 'anthropic'],
  anthropic: ['anthropic', 'chat', 'responses'],
};

const API_NAME: Record<RelayFormat, string> = { chat: 'Chat Completions', responses: 'the Responses API', anthropic: 'the Messages API' };

export interface UpstreamChoice {
  format: RelayFormat;
  candidates: ChannelRecord[];
}

/** The upstream format that will serve a client format, and its channels; `exclude` skips formats. */
export function chooseUpstream(client: RelayFormat, servable: ChannelRecord[], exclude: RelayFormat[] = []): UpstreamChoice | undefined {
  for (const format of PREFERENCE[client]) {
    if (exclude.includes(format)) continue;
    const candidates = channelsSpeaking(servable, [CHANNEL_TYPE[format]]);
    if (candidates.length > 0) return { format, candidates };
  }
  return undefined;
}

/** The channels that will serve a request in the client's format (what a compaction budget must fit). */
export function servingChannels(client: RelayFormat, servable: ChannelRecord[]): ChannelRecord[] {
  return chooseUpstream(client, servable)?.candidates ?? servable;
}

/** The smallest `defaultMaxTokens` among Anthropic candidates, so that any of them accepts the request. */
function anthropicMaxTokens(candidates: ChannelRecord[]): number {
  const values = candidates.map((c) => c.options.defaultMaxTokens).filter((v): v is number => typeof v === 'number' && v > 0);
  return values.length ? Math.min(...values) : DEFAULT_ANTHROPIC_MAX_TOKENS;
}

export interface ServeOptions extends Omit<ForwardOptions, 'candidates'> {
  servable: ChannelRecord[];
  /** Upstream formats that may not serve this request. */
  exclude?: RelayFormat[];
}

/** Forwards or translates `body` (in the client's format) to the best available channels. */
export async function serveByFormat(ctx: RequestScope, deps: ForwardDeps, client: RelayFormat, body: JsonObject, options: ServeOptions): Promise<void> {
  const { servable, exclude, ...forward } = options;
  const choice = chooseUpstream(client, servable, exclude);
  if (!choice) throw unavailable(`No channel can serve the model "${options.model}" over ${API_NAME[client]}.`);
  const { format, candidates } = choice;
  if (format === client) return forwardSameWire(ctx, deps, format, body, { ...forward, candidates });
  refuseUntranslatable(client, format, body);
  const responseHeaders = { ...droppedParamsHeader(client, format, body), ...forward.responseHeaders };
  const common = { ...forward, responseHeaders, candidates, clientFormat: client, upstreamFormat: format, clientBody: body };
  if (client === 'chat') {
    const upstreamBody = format === 'anthropic' ? chatRequestToAnthropic(body, anthropicMaxTokens(candidates)).body : chatRequestToResponses(body);
    return forwardTranslated(ctx, deps, { ...common, upstreamBody, includeUsage: body.stream_options?.include_usage === true });
  }
  if (client === 'responses') {
    const translated = format === 'anthropic' ? { ...responsesRequestToAnthropic(body, anthropicMaxTokens(candidates)), echo: responsesEcho(body) } : responsesRequestToChat(body);
    return forwardTranslated(ctx, deps, { ...common, upstreamBody: translated.body, customTools: translated.customTools, echo: translated.echo });
  }
  // A translated stream starts before the upstream says how many tokens it read: message_start carries the relay's own count.
  const inputTokens = body.stream === true ? countConversationTokens(decodeAnthropicRequest(body)) : undefined;
  return forwardTranslated(ctx, deps, { ...common, upstreamBody: anthropicRequestToOpenAI(body, format === 'chat' ? 'chat' : 'responses'), inputTokens });
}
