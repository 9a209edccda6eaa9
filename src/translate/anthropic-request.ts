// Anthropic Messages requests translated for an OpenAI-format upstream (Chat Completions or
// Responses) through the neutral conversation, with sampling, limits, tools, tool choice and
// structured output (`output_config.format` or the beta `output_format`).
import type { JsonObject } from '../json.ts';
import { anthropicOutputFormat, toChatResponseFormat, toResponsesTextFormat } from './structured-output.ts';
import { decodeAnthropicRequest } from '../conversation/anthropic.ts';
import { encodeChatMessages } from '../conversation/chat.ts';
import { encodeResponsesInput } from '../conversation/responses.ts';

function toolChoice(choice: any, format: 'chat' | 'responses'): unknown {
  if (!choice?.type) return undefined;
  if (choice.type === 'auto') return 'auto';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'tool' && choice.name) return format === 'chat' ? { type: 'function', function: { name: choice.name } } : { type: 'function', name: choice.name };
  return undefined;
}

export function anthropicRequestToOpenAI(body: JsonObject, format: 'chat' | 'responses'): JsonObject {
  const conversation = decodeAnthropicRequest(body);
  const out: JsonObject = { model: body.model };
  if (format === 'chat') {
    out.messages = encodeChatMessages(conversation);
    if (typeof body.max_tokens === 'number') out.max_tokens = body.max_tokens;
    if (Array.isArray(body.stop_sequences)) out.stop = body.stop_sequences;
    if (conversation.tools.length) out.tools = conversation.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  } else {
    if (conversation.instructions) out.instructions = conversation.instructions;
    out.input = encodeResponsesInput(conversation);
    out.store = false;
    if (typeof body.max_tokens === 'number') out.max_output_tokens = body.max_tokens;
    if (conversation.tools.length) out.tools = conversation.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: false }));
  }
  for (const name of ['temperature', 'top_p']) if (typeof body[name] === 'number') out[name] = body[name];
  if (typeof body.metadata?.user_id === 'string' && body.metadata.user_id) out.user = body.metadata.user_id;
  const choice = toolChoice(body.tool_choice, format);
  if (choice !== undefined && conversation.tools.length) out.tool_choice = choice;
  if (body.tool_choice?.disable_parallel_tool_use === true && conversation.tools.length) out.parallel_tool_calls = false;
  const outputFormat = anthropicOutputFormat(body);
  if (outputFormat && format === 'chat') out.response_format = toChatResponseFormat(outputFormat);
  else if (outputFormat) out.text = { format: toResponsesTextFormat(outputFormat) };
  if (body.stream === true) out.stream = true;
  return out;
}
