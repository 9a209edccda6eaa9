// Which request parameters survive a translation from one wire format to another. Everything a
// client sends that the translators do not carry is named in the `x-relay-dropped-params` response
// header; what cannot be dropped without changing the answer's shape is refused (501) instead, by
// the client format's adapter (`refuseTranslation`).
// docs/translation.md is the human-readable form of these tables.
import { adapterFor, type WireFormat } from '../adapters/registry.ts';

export const DROPPED_PARAMS_HEADER = 'x-relay-dropped-params';

/** Parameters every translation handles itself (the conversation, the model, streaming). */
const ALWAYS = ['model', 'stream'];

type Table = Record<WireFormat, Partial<Record<WireFormat, string[]>>>;

/**
 * Per client format and upstream format: the parameters carried over, each of which shows in the
 * upstream request. A dotted path carries only that field of an object parameter (`text.format`);
 * a bare name carries the whole parameter.
 */
export const CARRIED: Table = {
  chat: {
    responses: ['messages', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'service_tier', 'metadata',
      'prompt_cache_key', 'prompt_cache_retention', 'max_tokens', 'max_completion_tokens', 'reasoning_effort', 'response_format', 'verbosity'],
    anthropic: ['messages', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'max_tokens', 'max_completion_tokens',
      'stop', 'response_format'],
  },
  responses: {
    chat: ['input', 'instructions', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'service_tier', 'metadata',
      'prompt_cache_key', 'prompt_cache_retention', 'max_output_tokens', 'reasoning.effort', 'text.format', 'text.verbosity', 'seed', 'stop', 'presence_penalty', 'frequency_penalty'],
    anthropic: ['input', 'instructions', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'max_output_tokens', 'text.format'],
  },
  anthropic: {
    chat: ['messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'stop_sequences', 'temperature', 'top_p', 'metadata.user_id', 'output_config.format', 'output_format'],
    responses: ['messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p', 'metadata.user_id', 'output_config.format', 'output_format'],
  },
};

/**
 * Parameters accepted without being sent on, because they do not change the answer once
 * translated: `n` (above 1 refused), `background` (true refused), `store` (a translated upstream
 * is asked to store nothing), `stream_options` (usage is always asked for and given to clients that
 * asked), `prompt_cache_key` for Anthropic (used for channel affinity; Anthropic caches at the
 * breakpoints the relay sets), `previous_response_id` (the relay rebuilds the conversation from the
 * answers it kept: translate/response-state.ts).
 */
export const ACCEPTED: Table = {
  chat: { responses: ['n', 'stream_options', 'store'], anthropic: ['n', 'stream_options', 'store', 'prompt_cache_key'] },
  responses: { chat: ['background', 'store', 'previous_response_id'], anthropic: ['background', 'store', 'prompt_cache_key', 'previous_response_id'] },
  anthropic: { chat: [], responses: [] },
};

/** Tool types each translation can offer the upstream model; other tools are dropped (`tools[web_search]`). */
const TOOL_TYPES: Table = {
  chat: { responses: ['function'], anthropic: ['function', 'custom'] },
  responses: { chat: ['function', 'custom'], anthropic: ['function', 'custom'] },
  anthropic: { chat: ['custom'], responses: ['custom'] },
};

function droppedTools(client: WireFormat, upstream: WireFormat, tools: unknown): string[] {
  const offered = TOOL_TYPES[client][upstream] ?? [];
  const types = (Array.isArray(tools) ? tools : []).map((tool) => adapterFor(client).declaredToolType(tool)).filter((type) => !offered.includes(type));
  return [...new Set(types)].map((type) => `tools[${type}]`);
}

/** The parameters of `body` that a translation from `client` to `upstream` leaves out, as dotted paths. */
export function droppedParams(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): string[] {
  const known = CARRIED[client][upstream];
  if (!known) return [];
  const carried = [...known, ...(ACCEPTED[client][upstream] ?? [])];
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === 'tools') dropped.push(...droppedTools(client, upstream, value));
    if (value === undefined || value === null || ALWAYS.includes(name) || carried.includes(name)) continue;
    const fields = carried.filter((path) => path.startsWith(`${name}.`)).map((path) => path.slice(name.length + 1));
    if (fields.length > 0 && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, inner] of Object.entries(value)) if (inner !== undefined && inner !== null && !fields.includes(field)) dropped.push(`${name}.${field}`);
    } else {
      dropped.push(name);
    }
  }
  return dropped;
}

/** The response header that names dropped parameters, or none when nothing was dropped. */
export function droppedParamsHeader(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): Record<string, string> {
  const dropped = droppedParams(client, upstream, body);
  return dropped.length > 0 ? { [DROPPED_PARAMS_HEADER]: dropped.join(', ') } : {};
}
