// The neutral request: what a client asks of a model, in no wire format. Each adapter decodes its
// format's request body into this and encodes this into its format's body; a translation is one
// decode and one encode. Fields hold the client's values as sent (an upstream judges them), only
// renamed; absent means the client did not set it.
import type { Conversation } from './model.ts';
import type { OutputFormat } from './structured-output.ts';

/** Which tool the model must (or may) call. */
export type ToolChoice = { mode: 'auto' | 'required' | 'none' } | { mode: 'tool'; name: string };

export interface NeutralRequest {
  model: unknown;
  stream: boolean;
  /** Instructions, items and the tools declared. */
  conversation: Conversation;
  toolChoice?: ToolChoice;
  /** `false` forbids parallel tool calls. */
  parallelToolCalls?: unknown;
  maxOutputTokens?: unknown;
  temperature?: unknown;
  topP?: unknown;
  /** Stop sequences: a string or a list. */
  stop?: unknown;
  /** The end user's id (`user`, Anthropic `metadata.user_id`). */
  user?: unknown;
  safetyIdentifier?: unknown;
  reasoningEffort?: string;
  verbosity?: string;
  promptCacheKey?: unknown;
  /** Structured output, and the client's parameter that asked for it (named when it is refused). */
  responseFormat?: { format: OutputFormat; param: string };
  /**
   * Fields the two OpenAI formats share by name and meaning and no other format has
   * (`service_tier`, `metadata`, …): carried untouched from one OpenAI format to the other.
   */
  openAIFields: Record<string, unknown>;
}

/** The one schema a free-form (custom) tool's input gets where tools take a JSON schema only. */
export const CUSTOM_TOOL_INPUT_SCHEMA = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for this tool, exactly as its format requires.' } },
  required: ['input'],
  additionalProperties: false,
};

/** The JSON schema of a function tool declared without one. */
export const EMPTY_PARAMETERS = { type: 'object', properties: {} };

/** Copies the fields of `body` named in `names` that are set (not null) into `out`, under the same names. */
export function copySet(body: Record<string, any>, names: readonly string[], out: Record<string, unknown>): Record<string, unknown> {
  for (const name of names) if (body[name] !== undefined && body[name] !== null) out[name] = body[name];
  return out;
}
