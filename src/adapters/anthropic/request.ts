// Anthropic Messages request bodies ⇄ the neutral request: system and messages, tools and tool
// choice, limits, sampling, stop sequences, `metadata.user_id` and structured output. An upstream
// body always has `max_tokens` (Anthropic requires it: the client's, else the smallest channel
// default among the candidates) and gets prompt-cache breakpoints, which Anthropic needs and OpenAI
// does not. What Anthropic cannot take is left out (docs/translation.md) or refused, not faked.
import type { JsonObject } from '../../json.ts';
import type { ChannelRecord } from '../../store/catalog-store.ts';
import { decodeAnthropicConversation, encodeAnthropicMessages } from './conversation.ts';
import type { NeutralRequest } from '../../conversation/request.ts';
import { decodeAnthropicToolChoice, encodeAnthropicToolChoice, encodeAnthropicTools } from './tools.ts';
import { anthropicOutputFormat, toAnthropicOutputFormat } from './structured-output.ts';
import { addCacheBreakpoints } from './cache-breakpoints.ts';

/** `max_tokens` when neither the client nor the channel sets one (Anthropic requires a value). */
const DEFAULT_ANTHROPIC_MAX_TOKENS = 8192;

const number = (value: unknown) => (typeof value === 'number' ? value : undefined);

export function decodeAnthropicRequest(body: JsonObject): NeutralRequest {
  const conversation = decodeAnthropicConversation(body);
  const hasTools = conversation.tools.length > 0;
  const userId = body.metadata?.user_id;
  return {
    model: body.model,
    stream: body.stream === true,
    conversation,
    toolChoice: decodeAnthropicToolChoice(body.tool_choice),
    parallelToolCalls: body.tool_choice?.disable_parallel_tool_use === true && hasTools ? false : undefined,
    maxOutputTokens: number(body.max_tokens),
    temperature: number(body.temperature),
    topP: number(body.top_p),
    stop: Array.isArray(body.stop_sequences) ? body.stop_sequences : undefined,
    user: typeof userId === 'string' && userId ? userId : undefined,
    responseFormat: anthropicOutputFormat(body),
    openAIFields: {},
  };
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string' && stop) return [stop];
  if (Array.isArray(stop)) {
    const list = stop.filter((s): s is string => typeof s === 'string' && s.length > 0);
    return list.length ? list : undefined;
  }
  return undefined;
}

/** The smallest `defaultMaxTokens` among the candidates, so that any of them accepts the request. */
function defaultMaxTokens(candidates: ChannelRecord[]): number {
  const values = candidates.map((c) => c.options.defaultMaxTokens).filter((v): v is number => typeof v === 'number' && v > 0);
  return values.length ? Math.min(...values) : DEFAULT_ANTHROPIC_MAX_TOKENS;
}

export function encodeAnthropicRequest(request: NeutralRequest, candidates: ChannelRecord[]): JsonObject {
  const encoded = encodeAnthropicMessages(request.conversation);
  const max = request.maxOutputTokens;
  const out: JsonObject = { model: request.model, max_tokens: typeof max === 'number' && max > 0 ? max : defaultMaxTokens(candidates), messages: encoded.messages };
  if (encoded.system) out.system = encoded.system;
  // OpenAI's temperature runs 0–2, Anthropic's 0–1.
  if (typeof request.temperature === 'number') out.temperature = Math.min(Math.max(request.temperature, 0), 1);
  if (typeof request.topP === 'number') out.top_p = request.topP;
  const stop = stopSequences(request.stop);
  if (stop) out.stop_sequences = stop;
  const tools = encodeAnthropicTools(request.conversation.tools);
  if (tools.length > 0) {
    out.tools = tools;
    const choice = encodeAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
    if (choice) out.tool_choice = choice;
  }
  const user = request.safetyIdentifier ?? request.user;
  if (typeof user === 'string' && user) out.metadata = { user_id: user };
  if (request.responseFormat) out.output_config = { format: toAnthropicOutputFormat(request.responseFormat.format, request.responseFormat.param) };
  if (request.stream) out.stream = true;
  addCacheBreakpoints(out);
  return out;
}
