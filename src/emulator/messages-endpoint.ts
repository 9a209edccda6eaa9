// The emulator's POST /v1/messages, behaving like Anthropic's Messages API: its request checks
// (anthropic-version, max_tokens, roles, tool_use answered by tool_result in the next user turn),
// its error shape, whole `message` objects, the named-event stream with usage split between
// message_start (input) and message_delta (output), and its prompt cache (prefixes written and
// read only at `cache_control` breakpoints).
import type { ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { namedFrame, writeFrames } from './sse.ts';
import type { PlannedReply } from './script.ts';
import { deltasOf, finishReasonOf, tokensOfChars } from './script.ts';

const STOP_REASON: Record<string, string> = { length: 'max_tokens', tool_calls: 'tool_use', stop: 'end_turn' };
const stopReasonOf = (plan: PlannedReply) => STOP_REASON[finishReasonOf(plan)];

/** Tokens a request read from and wrote to the prompt cache. */
export interface CacheUse {
  totalTokens: number;
  readTokens: number;
  creationTokens: number;
}

/** How many blocks before each of its marks a request is checked for a cached prefix (Anthropic documents about 20). */
export const LOOKBACK_BLOCKS = 20;
/** The shortest prefix Anthropic caches (Sonnet and Opus; Haiku needs more): a mark on a shorter one caches nothing. */
export const MIN_CACHEABLE_TOKENS = 1024;

/**
 * Anthropic's prompt cache, emulated: a request's prefix (tools, then system, then message blocks)
 * is written at each block marked `cache_control` once it is at least 1,024 tokens long; a later
 * request reads the longest written prefix that ends at one of its own marks or at most 20 blocks
 * before one. Without marks nothing is cached, as with Anthropic.
 */
export class PromptCacheEmulator {
  private readonly written = new Set<string>();

  account(body: any): CacheUse {
    const blocks: string[] = [];
    const marks: number[] = [];
    const add = (block: any, role?: string) => {
      const { cache_control: mark, ...rest } = block ?? {};
      blocks.push(JSON.stringify(role ? { role, ...rest } : rest));
      if (mark) marks.push(blocks.length);
    };
    for (const tool of Array.isArray(body.tools) ? body.tools : []) add(tool);
    if (typeof body.system === 'string') add({ type: 'text', text: body.system });
    else for (const block of Array.isArray(body.system) ? body.system : []) add(block);
    for (const message of Array.isArray(body.messages) ? body.messages : []) {
      const content = typeof message?.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message?.content) ? message.content : [];
      for (const block of content) add(block, message.role);
    }
    // The characters before each block, summed once, so that every prefix is sized in constant time.
    const charsBefore: number[] = [0];
    for (const block of blocks) charsBefore.push(charsBefore[charsBefore.length - 1] + block.length);
    const tokensUpTo = (n: number) => tokensOfChars(charsBefore[n]);
    // The key of the prefix ending at each block, chained so that every prefix is hashed once.
    const chain: string[] = [''];
    for (const block of blocks) chain.push(createHash('sha256').update(chain[chain.length - 1]).update('\u0000').update(block).digest('hex'));
    const keyOf = (n: number) => chain[n];
    // Each mark also finds an entry written at one of the blocks just before it, as Anthropic looks back.
    let readAt = 0;
    for (const n of marks) {
      for (let k = n; k >= Math.max(1, n - LOOKBACK_BLOCKS) && k > readAt; k--) {
        if (this.written.has(keyOf(k))) {
          readAt = k;
          break;
        }
      }
    }
    const cacheable = marks.filter((n) => tokensUpTo(n) >= MIN_CACHEABLE_TOKENS);
    const lastMark = cacheable.at(-1) ?? 0;
    for (const n of cacheable) this.written.add(keyOf(n));
    const readTokens = readAt ? tokensUpTo(readAt) : 0;
    return { totalTokens: tokensUpTo(blocks.length), readTokens, creationTokens: lastMark > readAt ? tokensUpTo(lastMark) - readTokens : 0 };
  }
}

export interface AnthropicError {
  status: number;
  type: string;
  message: string;
}

export const anthropicErrorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

const invalid = (message: string): AnthropicError => ({ status: 400, type: 'invalid_request_error', message });

/** The checks Anthropic applies before running a request; returns the first problem found. */
export function checkMessagesRequest(headers: Record<string, string | string[] | undefined>, body: any): AnthropicError | undefined {
  if (!headers['anthropic-version']) return invalid('anthropic-version: header is required');
  if (typeof body.model !== 'string') return invalid('model: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return invalid('max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) return invalid('messages: at least one message is required');
  let open: string[] = [];
  for (let i = 0; i < body.messages.length; i++) {
    const message = body.messages[i];
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'${message?.role === 'system' ? '; use the top-level "system" parameter for a system prompt' : ''}`);
    }
    const blocks: any[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? message.content : [];
    if (typeof message.content === 'string' ? message.content === '' && i < body.messages.length - 1 : blocks.length === 0) {
      return invalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    }
    for (const [j, block] of blocks.entries()) {
      if (block?.type === 'text' && typeof message.content !== 'string' && !block.text) return invalid(`messages.${i}.content.${j}.text: text content blocks must be non-empty`);
      if (block?.type === 'tool_use' && (typeof block.input !== 'object' || block.input === null || Array.isArray(block.input))) {
        return invalid(`messages.${i}.content.${j}.tool_use.input: Input should be a valid dictionary`);
      }
    }
    if (open.length > 0) {
      const answered = new Set(blocks.filter((b) => b?.type === 'tool_result').map((b) => String(b.tool_use_id)));
      const missing = open.filter((id) => !answered.has(id));
      if (message.role !== 'user' || missing.length > 0) {
        return invalid(`messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
      }
    } else if (blocks.some((b) => b?.type === 'tool_result')) {
      return invalid(`messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
    }
    open = message.role === 'assistant' ? blocks.filter((b) => b?.type === 'tool_use').map((b) => String(b.id)) : [];
  }
  return undefined;
}

const newMessageId = () => `msg_emu${randomBytes(10).toString('hex')}`;

/** Anthropic counts cache reads and writes apart from `input_tokens`; the plan's input includes them. */
function usageOf(plan: PlannedReply, creationTokens: number) {
  return {
    input_tokens: Math.max(0, plan.inputTokens - plan.cachedTokens - creationTokens),
    cache_creation_input_tokens: creationTokens,
    cache_read_input_tokens: plan.cachedTokens,
    output_tokens: plan.outputTokens,
  };
}

function contentOf(plan: PlannedReply): any[] {
  const content: any[] = [];
  if (plan.text) content.push({ type: 'text', text: plan.text });
  for (const call of plan.toolCalls) {
    let input: unknown;
    try {
      input = JSON.parse(call.arguments || '{}');
    } catch {
      input = {};
    }
    content.push({ type: 'tool_use', id: call.callId.replace(/^call_/, 'toolu_'), name: call.name, input });
  }
  return content;
}

export function messageObject(model: string, plan: PlannedReply, creationTokens = 0): Record<string, unknown> {
  return {
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model,
    content: contentOf(plan),
    stop_reason: stopReasonOf(plan),
    stop_sequence: null,
    usage: usageOf(plan, creationTokens),
  };
}

export async function streamMessage(res: ServerResponse, model: string, plan: PlannedReply, options: { delayMs: number; stopAfter?: number; malformed?: boolean }, creationTokens = 0): Promise<void> {
  const usage = usageOf(plan, creationTokens);
  const frames: string[] = [
    namedFrame('message_start', { message: { id: newMessageId(), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }),
    namedFrame('ping', {}),
  ];
  contentOf(plan).forEach((block, index) => {
    if (block.type === 'text') {
      frames.push(namedFrame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const piece of deltasOf(block.text)) frames.push(namedFrame('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    } else {
      frames.push(namedFrame('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const piece of deltasOf(JSON.stringify(block.input), 2)) frames.push(namedFrame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
    }
    frames.push(namedFrame('content_block_stop', { index }));
  });
  frames.push(namedFrame('message_delta', { delta: { stop_reason: stopReasonOf(plan), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
  frames.push(namedFrame('message_stop', {}));
  await writeFrames(res, frames, { delayMs: options.delayMs, stopAfter: options.stopAfter, malformedAt: options.malformed ? 2 : undefined, malformedFrame: 'event: content_block_delta\ndata: {"type": broken\n\n' });
}
