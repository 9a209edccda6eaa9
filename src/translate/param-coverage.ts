// Which request parameters survive a translation from one wire format to another. Everything a
// client sends that the translators do not carry is named in the `x-relay-dropped-params` response
// header; what cannot be dropped without changing the answer's shape is refused (501) instead.
// docs/translation.md is the human-readable form of these tables.
import { notImplemented } from '../errors.ts';

export type WireFormat = 'chat' | 'responses' | 'anthropic';

export const DROPPED_PARAMS_HEADER = 'x-relay-dropped-params';

/** Parameters every translation handles itself (the conversation, the model, streaming). */
const ALWAYS = ['model', 'stream'];

/**
 * Per client format and upstream format: the parameters carried over. A dotted path carries only
 * that field of an object parameter (`text.format`); a bare name carries the whole parameter.
 */
const CARRIED: Record<WireFormat, Partial<Record<WireFormat, string[]>>> = {
  chat: {
    responses: ['messages', 'n', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'service_tier', 'metadata', 'prompt_cache_key',
      'max_tokens', 'max_completion_tokens', 'reasoning_effort', 'response_format', 'verbosity', 'stream_options', 'store'],
    anthropic: ['messages', 'n', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'max_tokens', 'max_completion_tokens', 'stop',
      'response_format', 'stream_options', 'store', 'prompt_cache_key'],
  },
  responses: {
    chat: ['input', 'background', 'instructions', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'service_tier', 'metadata', 'prompt_cache_key',
      'max_output_tokens', 'reasoning.effort', 'text.format', 'text.verbosity', 'store', 'safety_identifier', 'seed', 'stop', 'presence_penalty', 'frequency_penalty'],
    anthropic: ['input', 'background', 'instructions', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'max_output_tokens',
      'text.format', 'store', 'prompt_cache_key'],
  },
  anthropic: {
    chat: ['messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'stop_sequences', 'temperature', 'top_p', 'output_config.format', 'output_format'],
    responses: ['messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p', 'output_config.format', 'output_format'],
  },
};

/** The parameters of `body` that a translation from `client` to `upstream` leaves out, as dotted paths. */
export function droppedParams(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): string[] {
  const carried = CARRIED[client][upstream];
  if (!carried) return [];
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(body)) {
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

/** Refuses, before any upstream is called, what a translation could only answer with a different shape. */
export function refuseUntranslatable(client: WireFormat, upstream: WireFormat, body: Record<string, any>): void {
  if (client === upstream) return;
  if (client === 'chat' && typeof body.n === 'number' && body.n > 1) {
    throw notImplemented(`This model is served by ${upstream === 'anthropic' ? 'an Anthropic' : 'a Responses'} upstream, which returns one choice per request: 'n' > 1 cannot be honoured. Send ${body.n} requests instead.`, 'n_not_supported');
  }
  if (client === 'responses' && body.background === true) {
    throw notImplemented('This model is served by an upstream without background responses: \'background\' cannot be honoured. Send the request without it.', 'background_not_supported');
  }
}

/** The response header that names dropped parameters, or none when nothing was dropped. */
export function droppedParamsHeader(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): Record<string, string> {
  const dropped = droppedParams(client, upstream, body);
  return dropped.length > 0 ? { [DROPPED_PARAMS_HEADER]: dropped.join(', ') } : {};
}
