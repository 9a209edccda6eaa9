// Chat Completions request bodies ⇄ the neutral request: messages, tools and tool choice,
// sampling, limits, structured output, reasoning effort and verbosity. An upstream chat stream is
// always asked for its usage chunk (the relay taps it; the client sees it only if it asked).
import type { JsonObject } from '../../json.ts';
import { decodeChatMessages, encodeChatMessages } from './conversation.ts';
import { copySet, type NeutralRequest } from '../../conversation/request.ts';
import { decodeChatToolChoice, decodeChatTools, encodeChatToolChoice, encodeChatTools } from './tools.ts';
import { chatOutputFormat, toChatResponseFormat } from './structured-output.ts';
import { putOpenAICommon, setValue } from '../openai-common.ts';

/** Chat fields that the Responses API has under the same name and no other format has. */
const OPENAI_FIELDS = ['service_tier', 'metadata', 'prompt_cache_retention'];

const set = setValue;

export function decodeChatRequest(body: JsonObject): NeutralRequest {
  const format = chatOutputFormat(body);
  return {
    model: body.model,
    stream: body.stream === true,
    conversation: { ...decodeChatMessages(Array.isArray(body.messages) ? body.messages : []), tools: decodeChatTools(body.tools) },
    toolChoice: decodeChatToolChoice(body.tool_choice),
    parallelToolCalls: set(body.parallel_tool_calls),
    maxOutputTokens: set(body.max_completion_tokens ?? body.max_tokens),
    temperature: set(body.temperature),
    topP: set(body.top_p),
    stop: set(body.stop),
    user: set(body.user),
    safetyIdentifier: set(body.safety_identifier),
    reasoningEffort: typeof body.reasoning_effort === 'string' ? body.reasoning_effort : undefined,
    verbosity: typeof body.verbosity === 'string' ? body.verbosity : undefined,
    promptCacheKey: set(body.prompt_cache_key),
    responseFormat: format ? { format, param: 'response_format' } : undefined,
    openAIFields: copySet(body, OPENAI_FIELDS, {}),
  };
}

export function encodeChatRequest(request: NeutralRequest): JsonObject {
  const out: JsonObject = { model: request.model, messages: encodeChatMessages(request.conversation) };
  const put = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = value;
  };
  putOpenAICommon(out, request);
  put('stop', request.stop);
  if (typeof request.maxOutputTokens === 'number') out.max_tokens = request.maxOutputTokens;
  put('reasoning_effort', request.reasoningEffort);
  if (request.responseFormat) out.response_format = toChatResponseFormat(request.responseFormat.format);
  put('verbosity', request.verbosity);
  const tools = encodeChatTools(request.conversation.tools);
  if (tools.length > 0) {
    out.tools = tools;
    if (request.toolChoice) out.tool_choice = encodeChatToolChoice(request.toolChoice);
  }
  if (request.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}
