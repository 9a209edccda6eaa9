// Responses request bodies ⇄ the neutral request: input and instructions, tools and tool choice,
// sampling, limits, `text` (format, verbosity) and reasoning effort. An upstream is asked to store
// nothing (the relay keeps what later turns need), and the fields a Responses object repeats back
// to its client are picked here.
import type { JsonObject } from '../../json.ts';
import { decodeResponsesInput, encodeResponsesInput } from './conversation.ts';
import { copySet, type NeutralRequest } from '../../conversation/request.ts';
import { decodeResponsesToolChoice, decodeResponsesTools, encodeResponsesToolChoice, encodeResponsesTools } from './tools.ts';
import { responsesOutputFormat, toResponsesTextFormat } from './structured-output.ts';
import { putOpenAICommon, setValue } from '../openai-common.ts';

/**
 * Fields a Chat Completions upstream has under the same name and no other format has; `seed`,
 * `stop` and the penalties are not Responses parameters, but some clients send them.
 */
const OPENAI_FIELDS = ['service_tier', 'metadata', 'prompt_cache_retention', 'seed', 'stop', 'presence_penalty', 'frequency_penalty'];

const set = setValue;

export function decodeResponsesRequest(body: JsonObject): NeutralRequest {
  const format = responsesOutputFormat(body);
  const input = decodeResponsesInput(body.input ?? [], typeof body.instructions === 'string' ? body.instructions : undefined);
  return {
    model: body.model,
    stream: body.stream === true,
    conversation: { ...input, tools: decodeResponsesTools(body.tools) },
    toolChoice: decodeResponsesToolChoice(body.tool_choice),
    parallelToolCalls: set(body.parallel_tool_calls),
    maxOutputTokens: set(body.max_output_tokens),
    temperature: set(body.temperature),
    topP: set(body.top_p),
    user: set(body.user),
    safetyIdentifier: set(body.safety_identifier),
    reasoningEffort: typeof body.reasoning?.effort === 'string' ? body.reasoning.effort : undefined,
    verbosity: typeof body.text?.verbosity === 'string' ? body.text.verbosity : undefined,
    promptCacheKey: typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : undefined,
    responseFormat: format ? { format, param: 'text.format' } : undefined,
    openAIFields: copySet(body, OPENAI_FIELDS, {}),
  };
}

export function encodeResponsesRequest(request: NeutralRequest): JsonObject {
  const { conversation } = request;
  const out: JsonObject = { model: request.model, input: encodeResponsesInput(conversation), store: false };
  if (conversation.instructions) out.instructions = conversation.instructions;
  putOpenAICommon(out, request);
  if (typeof request.maxOutputTokens === 'number') out.max_output_tokens = request.maxOutputTokens;
  if (request.reasoningEffort !== undefined) out.reasoning = { effort: request.reasoningEffort };
  const text: Record<string, unknown> = {};
  if (request.responseFormat) text.format = toResponsesTextFormat(request.responseFormat.format);
  if (request.verbosity !== undefined) text.verbosity = request.verbosity;
  if (Object.keys(text).length > 0) out.text = text;
  const tools = encodeResponsesTools(conversation.tools);
  if (tools.length > 0) {
    out.tools = tools;
    if (request.toolChoice) out.tool_choice = encodeResponsesToolChoice(request.toolChoice);
  }
  if (request.stream) out.stream = true;
  return out;
}

/** The request fields a Responses object repeats back to its client, whoever served it. */
export function responsesEcho(body: JsonObject): Record<string, unknown> {
  const echo: Record<string, unknown> = {};
  for (const name of ['instructions', 'previous_response_id', 'store', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_output_tokens', 'metadata', 'prompt_cache_key', 'reasoning', 'text']) {
    if (body[name] !== undefined) echo[name] = body[name];
  }
  return echo;
}
