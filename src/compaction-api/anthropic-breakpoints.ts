// Anthropic prompt-cache breakpoints on a compacted Messages request. Compaction rewrites some
// blocks (a normalized or masked tool result is re-encoded without the client's `cache_control`),
// so a client that marked its newest turns would read nothing on its next request. The client's
// surviving marks stay where they are; each lost one moves to the newest user turn not yet marked;
// and, when the client caches at all and Anthropic's limit of four allows, the relay adds marks on
// the summary part an earlier event sent, on the newest summary part (the same until the next
// event) and at the end of the kept head (the same across events); when outputs were only masked,
// the last user turn before the first change.
import { isRelaySummaryText } from '../conversation/relay-summary.ts';

/** Anthropic refuses a request with more `cache_control` blocks than this (tools, system and messages together). */
export const MAX_BREAKPOINTS = 4;

type Block = Record<string, unknown> & { cache_control?: unknown };
type Message = { role: string; content: unknown };

const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);
const marksIn = (blocks: unknown[]): unknown[] => (blocks as Block[]).filter((b) => b && typeof b === 'object' && b.cache_control).map((b) => b.cache_control);

/** Blocks Anthropic lets carry a breakpoint (not thinking blocks). */
const markable = (block: Block | undefined): block is Block => !!block && typeof block === 'object' && ['text', 'image', 'document', 'tool_use', 'tool_result'].includes(String(block.type));

/** Marks the request carries outside `messages` (tools and a block-form system prompt). */
function fixedMarks(body: { tools?: unknown; system?: unknown }): number {
  return marksIn(Array.isArray(body.tools) ? body.tools : []).length + marksIn(Array.isArray(body.system) ? body.system : []).length;
}

const isSummaryText = (b: Block | undefined) => b?.type === 'text' && typeof b.text === 'string' && isRelaySummaryText(b.text);

/** Where the relay's summary blocks are (a first part and its continuations): [message, block] each, in order. */
function summaryBlocksOf(messages: Message[]): [number, number][] {
  const out: [number, number][] = [];
  messages.forEach((m, i) => blocksOf(m.content).forEach((b, j) => isSummaryText(b) && out.push([i, j])));
  return out;
}

/**
 * `compacted` (the encoded messages of the compacted conversation) with breakpoints placed as the
 * client placed them on `original` (its own messages). Blocks given a mark are copies; nothing
 * passed in is changed.
 */
export function placeBreakpoints(body: { tools?: unknown; system?: unknown }, original: Message[], compacted: Message[]): Message[] {
  const clientMarks = original.flatMap((m) => marksIn(blocksOf(m.content)));
  if (clientMarks.length === 0) return compacted;
  const messages = compacted.map((m) => ({ ...m, content: Array.isArray(m.content) ? [...(m.content as Block[])] : m.content }));
  const placed = messages.reduce((n, m) => n + marksIn(blocksOf(m.content)).length, 0);
  let lost = Math.max(0, clientMarks.length - placed);
  let total = fixedMarks(body) + placed;
  const mark = (message: Message, index: number, value: unknown) => {
    const blocks = message.content as Block[];
    blocks[index] = { ...blocks[index], cache_control: value };
    total++;
  };
  const newest = clientMarks[clientMarks.length - 1];
  for (let i = messages.length - 1; i >= 0 && lost > 0 && total < MAX_BREAKPOINTS; i--) {
    const blocks = blocksOf(messages[i].content);
    if (messages[i].role !== 'user' || !markable(blocks.at(-1)) || marksIn(blocks).length > 0) continue;
    mark(messages[i], blocks.length - 1, newest);
    lost--;
  }
  // The relay's own marks, while the limit allows: the summary part an earlier event sent (the same
  // across this event, so this request reads through it), the newest part (the same until the next
  // event, which will read it), then the end of what was kept ahead of the summary (the first task).
  const parts = summaryBlocksOf(messages);
  if (parts.length > 0) {
    const [i, j] = parts[0];
    const head: [number, number] | undefined = j > 0 ? [i, j - 1] : i > 0 ? [i - 1, blocksOf(messages[i - 1].content).length - 1] : undefined;
    const wanted = [...(parts.length > 1 ? [parts[parts.length - 2]] : []), parts[parts.length - 1], ...(head ? [head] : [])];
    for (const [m, b] of wanted) {
      const block = blocksOf(messages[m].content)[b];
      if (total < MAX_BREAKPOINTS && markable(block) && !block.cache_control) mark(messages[m], b, clientMarks[0]);
    }
  }
  // Without a summary (outputs masked or normalized in place): the last user turn before the first
  // changed message, the end of what stayed as the client sent it. The client marked that turn when
  // it was the newest, so this request reads up to it however far back the change is.
  if (parts.length === 0) {
    for (let i = firstChangedMessage(original, compacted) - 1; i >= 0; i--) {
      const blocks = blocksOf(messages[i].content);
      if (messages[i].role !== 'user' || !markable(blocks.at(-1))) continue;
      if (total < MAX_BREAKPOINTS && marksIn(blocks).length === 0) mark(messages[i], blocks.length - 1, newest);
      break;
    }
  }
  return messages;
}

/** Index of the first message the compaction changed: untouched messages keep the client's own block objects (or string). */
function firstChangedMessage(original: Message[], compacted: Message[]): number {
  let i = 0;
  for (; i < original.length && i < compacted.length; i++) {
    const [a, b] = [original[i], compacted[i]];
    if (a.role !== b.role) break;
    if (typeof a.content === 'string' || typeof b.content === 'string') {
      if (a.content !== b.content) break;
      continue;
    }
    const [x, y] = [blocksOf(a.content), blocksOf(b.content)];
    if (x.length !== y.length || x.some((block, k) => block !== y[k])) break;
  }
  return i;
}
