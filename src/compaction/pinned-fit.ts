// The last resort when no retirement boundary fits the budget: the system prompt (with the tools)
// and the newest turn are kept whole, and the rest of what is pinned — the first task, an oversized
// early message — and the summary are kept head and tail, with a marker saying how much was cut and
// why. The relay refuses only when the system prompt and the newest turn alone exceed the budget.
import type { Conversation, Item, MessageItem } from '../conversation/model.ts';
import { messageText } from '../conversation/model.ts';
import { badRequest } from '../errors.ts';
import { countConversationTokens, countTextTokens } from './tokens.ts';
import { summaryMessage } from './layout.ts';

export interface PinnedFitInput {
  /** The conversation being compacted (its instructions and tools count against the budget). */
  conversation: Conversation;
  /** What precedes the summary, in order: system/developer messages (kept whole) and the first task. */
  head: Item[];
  /** The first task, one of `head`: cut head and tail when it does not leave room. */
  task?: Item;
  /** The summary of the retired part, without its message prefix; '' for none. */
  summaryText: string;
  /**
   * The summary within a number of tokens, when the whole does not fit (an abridged ledger: whole
   * entries of the sections that matter most); null when nothing useful fits. Without it the
   * summary is kept head and tail.
   */
  summaryWithin?: (maxTokens: number) => string | null;
  /** The newest turn, kept whole. */
  newest: Item[];
  /** The result must not exceed this many tokens… */
  limitTokens: number;
  /** …and aims at this many when the system prompt and the newest turn leave room. */
  aimTokens: number;
}

/**
 * `text` cut to about `keepTokens`: its start and its end, with a marker in between that says how
 * much was cut and why. Unchanged when it already fits.
 */
export function keepHeadAndTail(text: string, keepTokens: number, what: string, why: string, wholeLines = false): string {
  const tokens = countTextTokens(text);
  if (tokens <= keepTokens) return text;
  const charsPerToken = text.length / Math.max(1, tokens);
  const keepChars = Math.max(0, Math.floor(keepTokens * charsPerToken));
  let headEnd = Math.floor(keepChars * 0.6);
  let tailStart = text.length - (keepChars - headEnd);
  // Cut at line ends when one is near, so that no line is split; with `wholeLines` (a list of facts,
  // where half a path would be a false one) always at line ends.
  const newlineBefore = text.lastIndexOf('\n', headEnd);
  if (newlineBefore > headEnd * 0.7 || wholeLines) headEnd = Math.max(0, newlineBefore);
  const newlineAfter = text.indexOf('\n', tailStart);
  if (newlineAfter >= 0 && (newlineAfter - tailStart < (text.length - tailStart) * 0.3 || wholeLines)) tailStart = newlineAfter + 1;
  else if (wholeLines) tailStart = text.length;
  if (tailStart <= headEnd) return text;
  const cut = text.slice(headEnd, tailStart);
  const marker = `\n[… ${countTextTokens(cut)} tokens (${cut.split('\n').length} lines) of ${what} cut by the gateway: ${why}; start and end kept.]\n`;
  return text.slice(0, headEnd) + marker + text.slice(tailStart);
}

/** About what a marker or a message frame takes. */
const FRAME_TOKENS = 60;
/** A summary cut below this says too little to be worth its message. */
const MIN_SUMMARY_TOKENS = 48;
/**
 * Beside a task that must be cut, the summary gets a quarter of the room, but at least this much
 * while that is no more than half of it: enough for the files changed and the last command.
 */
const ESSENTIAL_SUMMARY_TOKENS = 96;

const asText = (item: Item) => (item.kind === 'message' ? messageText(item.content) : '');

/** A message whose text is replaced (its role and id kept). */
export function withMessageText(item: MessageItem, text: string): MessageItem {
  return { kind: 'message', role: item.role, content: [{ type: 'text', text }], ...(item.id ? { id: item.id } : {}) };
}

/** What the last resort decided: the task's text (null: left out), the summary's (null: none), and the tokens of the result. */
export interface PinnedFit {
  taskText: string | null;
  summaryText: string | null;
  tokens: number;
}

/**
 * Fits `[head with the task cut] [summary cut] [newest turn]` within the limit, or throws a 400
 * `context_budget_unreachable` when the system prompt and the newest turn alone exceed it.
 */
export function fitPinned(input: PinnedFitInput): PinnedFit {
  const { conversation, head, task, newest, limitTokens } = input;
  const count = (items: Item[]) => countConversationTokens({ ...conversation, items });
  const system = head.filter((item) => item !== task);
  const systemTokens = count(system);
  const base = count([...system, ...newest]);
  if (base > limitTokens) {
    throw badRequest(
      `The conversation cannot be compacted to ${limitTokens} tokens: the system prompt with the tool definitions (${systemTokens} tokens) and the newest turn (${base - systemTokens} tokens) alone take ${base} tokens, and both are always kept verbatim. Raise the budget, or shorten the system prompt, the tools or the latest message.`,
      'messages',
      'context_budget_unreachable',
    );
  }
  const why = `with the system prompt, the summary and the newest turn it did not fit the context budget of ${limitTokens} tokens`;
  const taskText = task ? asText(task) : '';
  const taskTokens = countTextTokens(taskText);
  const summaryTokens = countTextTokens(input.summaryText);
  const summaryWithin = (maxTokens: number): string | null => {
    if (summaryTokens <= maxTokens) return input.summaryText;
    return input.summaryWithin ? input.summaryWithin(maxTokens) : keepHeadAndTail(input.summaryText, maxTokens, 'the summary', why, true);
  };
  // The user's own words come before a summary of the work: a task that fits whole within the
  // limit stays whole, even if that leaves less room below the aim (where events stop, for
  // hysteresis). A task that must be cut anyway is cut toward the aim, so the next turns have room.
  const aimed = input.aimTokens > base ? input.aimTokens : limitTokens;
  const wholeTask = count([...head, ...newest]);
  const taskFitsWhole = wholeTask <= limitTokens;
  const goal = taskFitsWhole && wholeTask + FRAME_TOKENS > aimed ? limitTokens : aimed;
  const assemble = (room: number): PinnedFit => {
    // A task that fits is kept whole and the summary gets what is left; a task that must be cut
    // anyway leaves the summary a quarter of the room. A summary with room for less than a few lines is left out.
    // A long task that fits whole but would leave the summary less than its essentials gives up
    // some of its middle for them: the files changed and the last command are what keep-last keeps.
    const wholeFits = taskFitsWhole && (room - taskTokens >= Math.min(ESSENTIAL_SUMMARY_TOKENS, summaryTokens) || taskTokens < 4 * ESSENTIAL_SUMMARY_TOKENS);
    const left = wholeFits ? room - taskTokens : Math.min(summaryTokens, Math.max(Math.floor(room / 4), Math.min(ESSENTIAL_SUMMARY_TOKENS, Math.floor(room / 2))));
    const summaryShare = left >= MIN_SUMMARY_TOKENS ? Math.min(summaryTokens, left) : 0;
    const cutSummary = input.summaryText && summaryShare > 0 ? summaryWithin(summaryShare) : null;
    const summaryUsed = cutSummary === null ? 0 : Math.min(summaryShare, countTextTokens(cutSummary));
    const taskShare = wholeFits ? taskTokens : Math.min(taskTokens, room - summaryUsed);
    const cutTask = task ? keepHeadAndTail(taskText, taskShare, 'the first task', why) : null;
    const assembled: Item[] = head.map((item) => (item === task && item.kind === 'message' && cutTask !== null ? withMessageText(item, cutTask) : item));
    if (cutSummary !== null) assembled.push(summaryMessage(cutSummary));
    assembled.push(...newest);
    return { taskText: cutTask, summaryText: cutSummary, tokens: count(assembled) };
  };
  let room = Math.max(0, goal - base - 2 * FRAME_TOKENS);
  for (let attempt = 0; attempt < 8; attempt++) {
    let fit = assemble(room);
    if (fit.tokens > limitTokens) {
      room = Math.max(0, room - (fit.tokens - limitTokens) - 20 * (attempt + 1));
      continue;
    }
    // The frame estimate left room unused: the task and the summary get it, as long as the result still fits.
    let step = goal - fit.tokens;
    for (let grow = 0; grow < 6 && step >= 8 && room < taskTokens + summaryTokens; grow++) {
      const larger = assemble(room + step);
      if (larger.tokens > goal) step = Math.floor(step / 2);
      else {
        room += step;
        fit = larger;
        step = goal - fit.tokens;
      }
    }
    return fit;
  }
  return { taskText: null, summaryText: null, tokens: base };
}
