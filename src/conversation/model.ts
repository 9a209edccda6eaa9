// The neutral conversation model: one shape for every wire format (Chat Completions, Responses,
// Anthropic Messages). Codecs decode into it and encode out of it; compaction works on it only.

/** Wire formats the relay speaks, on either side. */
export type WireFormat = 'chat' | 'responses' | 'anthropic';

export type Role = 'system' | 'developer' | 'user' | 'assistant';

/** One piece of message content. Parts a format cannot express are carried as `opaque`. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string; detail?: string }
  | { type: 'refusal'; text: string }
  | { type: 'opaque'; format: WireFormat; raw: unknown };

/**
 * Fields shared by every item.
 * - `id`: the item id the client gave (Responses `msg_`, `fc_`, `cmp_` ...), kept verbatim.
 * - `raw` + `rawFormat`: the exact wire object this item was decoded from. An encoder targeting the
 *   same format emits `raw` untouched (unknown fields survive); code that changes an item builds a
 *   new object without `raw`.
 */
export interface ItemBase {
  id?: string;
  raw?: unknown;
  rawFormat?: WireFormat;
}

export interface MessageItem extends ItemBase {
  kind: 'message';
  role: Role;
  content: ContentPart[];
  /** Chat `name` on a message, when present. */
  name?: string;
  /**
   * A user-role message that carries a tool's or environment's output rather than the user's words
   * (text-protocol agents such as SWE-agent and mini-swe-agent): compaction treats it like a tool result.
   */
  observation?: boolean;
  /** A user-role message holding an in-context demonstration (an example run), not the task: never pinned. */
  demonstration?: boolean;
}

/** What kind of tool a call belongs to; `function` is the common case everywhere. */
export type ToolKind = 'function' | 'custom' | 'local_shell' | 'web_search' | 'other';

export interface ToolCallItem extends ItemBase {
  kind: 'tool_call';
  callId: string;
  name: string;
  /** Function arguments as the JSON string the model produced; custom tools: their free-form input. */
  arguments: string;
  toolKind: ToolKind;
}

export interface ToolResultItem extends ItemBase {
  kind: 'tool_result';
  callId: string;
  /** Tool output as text, or as content parts when the tool returned images or several parts. */
  output: string | ContentPart[];
  toolKind: ToolKind;
  isError?: boolean;
}

export interface ReasoningItem extends ItemBase {
  kind: 'reasoning';
  summary: string[];
  /** Plain reasoning text, where a provider returns it (DeepSeek `reasoning_content`, Anthropic thinking). */
  text?: string;
  /** Provider-sealed reasoning; only the issuer can read it. */
  encryptedContent?: string;
}

/**
 * A compaction marker: either a sealed blob (`encryptedContent`, from OpenAI or from this relay)
 * or, once the relay has opened its own blob, the summary text it stands for.
 */
export interface CompactionItem extends ItemBase {
  kind: 'compaction';
  encryptedContent?: string;
  summaryText?: string;
}

/** Codex v2's request for a compaction (`{"type":"compaction_trigger"}`), always the last input item. */
export interface CompactionTriggerItem extends ItemBase {
  kind: 'compaction_trigger';
}

/** An item of a type the relay does not model; carried untouched to the same format, counted when dropped. */
export interface OpaqueItem extends ItemBase {
  kind: 'opaque';
  wireType: string;
}

export type Item =
  | MessageItem
  | ToolCallItem
  | ToolResultItem
  | ReasoningItem
  | CompactionItem
  | CompactionTriggerItem
  | OpaqueItem;

/** A tool the model may call, as declared by the client. `raw` keeps the declaration verbatim. */
export interface ToolDefinition {
  kind: ToolKind;
  name: string;
  description?: string;
  /** JSON Schema of function parameters. */
  parameters?: unknown;
  /** OpenAI strict mode for the parameters, when the client chose. */
  strict?: boolean;
  raw?: unknown;
  rawFormat?: WireFormat;
}

/** A whole conversation: what a request asks the model to continue. */
export interface Conversation {
  /** Responses `instructions` / Anthropic `system`; Chat puts these in system messages instead. */
  instructions?: string;
  items: Item[];
  tools: ToolDefinition[];
}

/** Token usage as an upstream reported it (all counts are tokens). */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
});

/** Plain text of a message's content, parts joined by newlines (images and opaque parts skipped). */
export function messageText(content: ContentPart[]): string {
  const texts: string[] = [];
  for (const part of content) if (part.type === 'text' || part.type === 'refusal') texts.push(part.text);
  return texts.join('\n');
}

/** Plain text of a tool output. */
export function toolOutputText(output: string | ContentPart[]): string {
  return typeof output === 'string' ? output : messageText(output);
}
