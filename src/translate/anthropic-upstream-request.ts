// Requests for an Anthropic Messages upstream, built from a Chat Completions or a Responses body:
// the conversation and tools through the neutral model, then limits, sampling, stop sequences and
// tool choice mapped to their Anthropic names, structured output as `output_config.format`,
// prompt-cache breakpoints added (OpenAI caches by itself, Anthropic only where told). What
// Anthropic cannot take is left out (listed in docs/translation.md) or refused, not faked.
import type { JsonObject } from '../json.ts';
import type { ToolDefinition } from '../conversation/model.ts';
import { decodeChatMessages, decodeChatTools } from '../conversation/chat.ts';
import { decodeResponsesInput, decodeResponsesTools } from '../conversation/responses.ts';
import { encodeAnthropicMessages } from '../conversation/anthropic.ts';
import { addCacheBreakpoints } from './anthropic-cache.ts';
import { chatOutputFormat, responsesOutputFormat, toAnthropicOutputFormat, type OutputFormat } from './structured-output.ts';

/** `max_tokens` when neither the client nor the channel sets one (Anthropic requires a value). */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 8192;

export interface AnthropicUpstreamRequest {
  body: JsonObject;
  /** Responses custom (free-form) tools, offered as one-string tools; their calls go back as custom_tool_call. */
  customTools: Set<string>;
}

/** OpenAI tool_choice (either format) → Anthropic tool_choice; `parallel` false disables parallel tool use. */
function toolChoiceOf(choice: any, parallel: unknown): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice && typeof choice === 'object') {
    const name = choice.function?.name ?? choice.name;
    if (typeof name === 'string') out = { type: 'tool', name };
  }
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string' && stop) return [stop];
  if (Array.isArray(stop)) {
    const list = stop.filter((s): s is string => typeof s === 'string' && s.length > 0);
    return list.length ? list : undefined;
  }
  return undefined;
}

interface CommonFields {
  maxTokens: unknown;
  stop: unknown;
  toolChoice: unknown;
  parallelToolCalls: unknown;
  user: unknown;
  /** Structured output asked for, and the client's parameter that asked (for the refusal). */
  outputFormat?: { format: OutputFormat; param: string };
}

function assemble(body: JsonObject, conversation: ReturnType<typeof decodeChatMessages>, fields: CommonFields, defaultMaxTokens: number): JsonObject {
  const encoded = encodeAnthropicMessages(conversation);
  const out: JsonObject = {
    model: body.model,
    max_tokens: typeof fields.maxTokens === 'number' && fields.maxTokens > 0 ? fields.maxTokens : defaultMaxTokens,
    messages: encoded.messages,
  };
  if (encoded.system) out.system = encoded.system;
  // OpenAI's temperature runs 0–2, Anthropic's 0–1.
  if (typeof body.temperature === 'number') out.temperature = Math.min(Math.max(body.temperature, 0), 1);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  const stop = stopSequences(fields.stop);
  if (stop) out.stop_sequences = stop;
  if (encoded.tools.length > 0) {
    out.tools = encoded.tools;
    const choice = toolChoiceOf(fields.toolChoice, fields.parallelToolCalls);
    if (choice) out.tool_choice = choice;
  }
  if (typeof fields.user === 'string' && fields.user) out.metadata = { user_id: fields.user };
  if (fields.outputFormat) out.output_config = { format: toAnthropicOutputFormat(fields.outputFormat.format, fields.outputFormat.param) };
  if (body.stream === true) out.stream = true;
  addCacheBreakpoints(out);
  return out;
}

/** A Chat Completions body → an Anthropic Messages body. */
export function chatRequestToAnthropic(body: JsonObject, defaultMaxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS): AnthropicUpstreamRequest {
  const conversation = { ...decodeChatMessages(Array.isArray(body.messages) ? body.messages : []), tools: decodeChatTools(body.tools) };
  const format = chatOutputFormat(body);
  const fields: CommonFields = { maxTokens: body.max_completion_tokens ?? body.max_tokens, stop: body.stop, toolChoice: body.tool_choice, parallelToolCalls: body.parallel_tool_calls, user: body.safety_identifier ?? body.user };
  if (format) fields.outputFormat = { format, param: 'response_format' };
  return { body: assemble(body, conversation, fields, defaultMaxTokens), customTools: new Set() };
}

/** Responses custom tools carry their input grammar in the description, as for chat upstreams. */
function describeCustomTools(tools: ToolDefinition[]): ToolDefinition[] {
  return tools.map((tool) => {
    const format = (tool.raw as any)?.format;
    if (tool.kind !== 'custom' || format?.type !== 'grammar') return tool;
    return { ...tool, description: `${tool.description ?? ''} Input format (${format.syntax ?? 'grammar'}):\n${format.definition ?? ''}`.trim() };
  });
}

/** A Responses body → an Anthropic Messages body. */
export function responsesRequestToAnthropic(body: JsonObject, defaultMaxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS): AnthropicUpstreamRequest {
  const decoded = decodeResponsesInput(body.input ?? [], typeof body.instructions === 'string' ? body.instructions : undefined);
  const tools = describeCustomTools(decodeResponsesTools(body.tools));
  const conversation = { ...decoded, tools };
  const format = responsesOutputFormat(body);
  const fields: CommonFields = { maxTokens: body.max_output_tokens, stop: undefined, toolChoice: body.tool_choice, parallelToolCalls: body.parallel_tool_calls, user: body.safety_identifier ?? body.user };
  if (format) fields.outputFormat = { format, param: 'text.format' };
  return { body: assemble(body, conversation, fields, defaultMaxTokens), customTools: new Set(tools.filter((t) => t.kind === 'custom').map((t) => t.name)) };
}
