// Request fields other than the conversation, mapped between Responses and Chat Completions:
// sampling, limits, tool declarations and tool choice, structured output, verbosity, reasoning effort.
import { chatOutputFormat, responsesOutputFormat, toChatResponseFormat, toResponsesTextFormat } from './structured-output.ts';

export interface ToolsForChat {
  tools: unknown[];
  /** Names of Responses custom (free-form) tools, offered to a chat model as one-string functions. */
  customTools: Set<string>;
  /** Tool types a chat upstream cannot offer (web_search, …), counted, not sent. */
  dropped: string[];
}

const CUSTOM_TOOL_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for this tool, exactly as its format requires.' } },
  required: ['input'],
  additionalProperties: false,
};

/** Responses `tools` → Chat `tools`. */
export function responsesToolsToChat(tools: unknown): ToolsForChat {
  const out: ToolsForChat = { tools: [], customTools: new Set(), dropped: [] };
  for (const tool of Array.isArray(tools) ? tools : []) {
    const t = tool as any;
    if (t?.type === 'function' && typeof t.name === 'string') {
      const fn: Record<string, unknown> = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
      if (t.description) fn.description = t.description;
      if (t.strict !== undefined) fn.strict = t.strict;
      out.tools.push({ type: 'function', function: fn });
    } else if (t?.type === 'custom' && typeof t.name === 'string') {
      const format = t.format?.type === 'grammar' ? ` Input format (${t.format.syntax ?? 'grammar'}):\n${t.format.definition ?? ''}` : '';
      out.tools.push({ type: 'function', function: { name: t.name, description: `${t.description ?? ''}${format}`.trim(), parameters: CUSTOM_TOOL_PARAMETERS } });
      out.customTools.add(t.name);
    } else {
      out.dropped.push(String(t?.type ?? 'unknown'));
    }
  }
  return out;
}

/** Chat `tools` → Responses `tools`. */
export function chatToolsToResponses(tools: unknown): unknown[] {
  const out: unknown[] = [];
  for (const tool of Array.isArray(tools) ? tools : []) {
    const t = tool as any;
    if (t?.type !== 'function' || !t.function?.name) continue;
    const fn: Record<string, unknown> = { type: 'function', name: t.function.name, parameters: t.function.parameters ?? { type: 'object', properties: {} } };
    if (t.function.description) fn.description = t.function.description;
    fn.strict = t.function.strict ?? false;
    out.push(fn);
  }
  return out;
}

export function responsesToolChoiceToChat(choice: unknown): unknown {
  if (choice === undefined || typeof choice === 'string') return choice;
  const c = choice as any;
  if ((c?.type === 'function' || c?.type === 'custom') && c.name) return { type: 'function', function: { name: c.name } };
  return undefined;
}

export function chatToolChoiceToResponses(choice: unknown): unknown {
  if (choice === undefined || typeof choice === 'string') return choice;
  const c = choice as any;
  if (c?.type === 'function' && c.function?.name) return { type: 'function', name: c.function.name };
  return undefined;
}

/** Responses request fields → Chat request fields (without messages and tools). */
export function responsesParamsToChat(body: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'service_tier', 'metadata', 'prompt_cache_retention', 'seed', 'stop', 'presence_penalty', 'frequency_penalty']) {
    if (body[name] !== undefined && body[name] !== null) out[name] = body[name];
  }
  if (typeof body.max_output_tokens === 'number') out.max_tokens = body.max_output_tokens;
  const effort = body.reasoning?.effort;
  if (typeof effort === 'string') out.reasoning_effort = effort;
  const format = responsesOutputFormat(body);
  if (format) out.response_format = toChatResponseFormat(format);
  if (typeof body.text?.verbosity === 'string') out.verbosity = body.text.verbosity;
  const toolChoice = responsesToolChoiceToChat(body.tool_choice);
  if (toolChoice !== undefined) out.tool_choice = toolChoice;
  if (typeof body.prompt_cache_key === 'string') out.prompt_cache_key = body.prompt_cache_key;
  return out;
}

/** Chat request fields → Responses request fields (without input and tools). */
export function chatParamsToResponses(body: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = { store: false };
  for (const name of ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'service_tier', 'metadata', 'prompt_cache_key', 'prompt_cache_retention']) {
    if (body[name] !== undefined && body[name] !== null) out[name] = body[name];
  }
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (typeof limit === 'number') out.max_output_tokens = limit;
  if (typeof body.reasoning_effort === 'string') out.reasoning = { effort: body.reasoning_effort };
  const format = chatOutputFormat(body);
  const text: Record<string, unknown> = {};
  if (format) text.format = toResponsesTextFormat(format);
  if (typeof body.verbosity === 'string') text.verbosity = body.verbosity;
  if (Object.keys(text).length > 0) out.text = text;
  const toolChoice = chatToolChoiceToResponses(body.tool_choice);
  if (toolChoice !== undefined) out.tool_choice = toolChoice;
  return out;
}
