// Whole requests translated between Responses and Chat Completions: the conversation through the
// neutral model (codecs at both edges), the other fields by request-params.
import type { JsonObject } from '../json.ts';
import { decodeChatMessages, encodeChatMessages } from '../conversation/chat.ts';
import { decodeResponsesInput, encodeResponsesInput } from '../conversation/responses.ts';
import { chatParamsToResponses, chatToolsToResponses, responsesParamsToChat, responsesToolsToChat } from './request-params.ts';

export interface ChatRequestFromResponses {
  body: JsonObject;
  /** Custom tools offered to the chat model as functions; their calls go back as custom_tool_call. */
  customTools: Set<string>;
  /** Request fields echoed on the Responses object the client gets back. */
  echo: Record<string, unknown>;
}

export function responsesRequestToChat(body: JsonObject): ChatRequestFromResponses {
  const conversation = decodeResponsesInput(body.input ?? [], typeof body.instructions === 'string' ? body.instructions : undefined);
  const tools = responsesToolsToChat(body.tools);
  const chat: JsonObject = { ...responsesParamsToChat(body), model: body.model, messages: encodeChatMessages(conversation) };
  if (tools.tools.length > 0) chat.tools = tools.tools;
  else delete chat.tool_choice;
  if (body.stream === true) chat.stream = true;
  return { body: chat, customTools: tools.customTools, echo: responsesEcho(body) };
}

/** The request fields a Responses object repeats back to its client, whoever served it. */
export function responsesEcho(body: JsonObject): Record<string, unknown> {
  const echo: Record<string, unknown> = {};
  for (const name of ['instructions', 'previous_response_id', 'store', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_output_tokens', 'metadata', 'prompt_cache_key', 'reasoning', 'text']) {
    if (body[name] !== undefined) echo[name] = body[name];
  }
  return echo;
}

export function chatRequestToResponses(body: JsonObject): JsonObject {
  const conversation = decodeChatMessages(body.messages ?? []);
  const out: JsonObject = { ...chatParamsToResponses(body), model: body.model, input: encodeResponsesInput(conversation) };
  if (conversation.instructions) out.instructions = conversation.instructions;
  const tools = chatToolsToResponses(body.tools);
  if (tools.length > 0) out.tools = tools;
  else delete out.tool_choice;
  if (body.stream === true) out.stream = true;
  return out;
}
