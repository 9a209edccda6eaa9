// Text-protocol agents (SWE-agent's default and XML protocols, mini-swe-agent, prompt-based
// function calling, Cline and Roo Code's XML tool use, and agents built like them) write their action inside an assistant message and
// get the environment's answer back as an ordinary `user` message. This module tells those
// observations, and in-context demonstrations, apart from the human's own words, on any wire
// format, and reads the action an assistant message carries.
import type { Conversation, Item, MessageItem } from './model.ts';
import { messageText } from './model.ts';
import { isRelaySummaryText } from './relay-summary.ts';

/** Lines only an environment writes: the markers of agent observation templates. */
const ENVIRONMENT_MARKERS: RegExp[] = [
  /^[ \t]*<returncode>\s*-?\d+\s*<\/returncode>/m, // mini-swe-agent (indentation only: `\s*` across lines would rescan every blank line)
  /^OBSERVATION:/m, // SWE-agent and ReAct-style templates
  /^\(Open file: [^\n]*\)[ \t]*$/m, // SWE-agent state lines
  /^\(Current directory: [^\n]*\)[ \t]*$/m,
  /^EXECUTION RESULT of \[[\w.-]+\]:/m, // OpenHands prompt-based function calling
  /^\[(?:Command(?: [-\w]+)? finished with exit code|The command completed with exit code) -?\d+\.?\]/m, // OpenHands
  /^Your command ran successfully and did not produce any output/m, // SWE-agent
  /^<(?:output|observation|stdout|stderr|tool_output|tool_result|function_results|execution_result)>/m,
  /^\[File: [^\n]+ \(\d+ lines total\)\][ \t]*$/m, // SWE-agent editor window
  /^\[gateway: output hidden to save context/, // this relay's own masking stub, resent by the client
  /^\s*\[[\w-]{2,60}(?: for [^\n]{0,300})?\] Result:/, // Cline, Roo Code and their forks: `[read_file for 'src/a.ts'] Result:`
];

/** Tags in which tool-result messages of XML-tool agents (Cline, Roo Code) carry the human's own reply. */
const HUMAN_REPLY = /<(answer|feedback|user_message)>[\s\S]*?<\/\1>/;


/** Machine-written feedback some agents send as a user message (format errors, timeouts, auto-replies). */
const ENVIRONMENT_FEEDBACK: RegExp[] = [
  /^Your output was not formatted correctly/, // SWE-agent format error
  /^Your bash command contained syntax errors and was NOT executed/, // SWE-agent
  /^The command .{1,2000}? was cancelled because it took more than \d+ seconds/s, // SWE-agent timeout
  /^Please always provide EXACTLY ONE action/, // mini-swe-agent format error
  /^The last command <command>/, // mini-swe-agent timeout
  /^Please continue working on the task on whatever approach you think is suitable/, // OpenHands auto-reply
  /^# Fix any errors below, if possible\./, // aider's lint and test reflection
  /^(?:[^\n]*\n){0,3}#? ?\d+ SEARCH\/REPLACE blocks? failed to match/, // aider's failed edit
  /^I committed the changes with git hash /, // aider's commit note
  /^\[ERROR\] You did not use a tool in your previous response/, // Cline and Roo Code
];

/** A shell prompt as the last line of an observation: `bash-$`, `bash-5.1$`, `user@host:~/repo$`, `$`. */
const PROMPT_LINE = /^(?:\([^)\n]{1,40}\)\s*)?(?:[\w.-]+@[\w.-]+:[^\s$#]*|[\w.-]*)[$#][ \t]*$/;

/** SWE-agent's demonstration template (and others that label their example run). */
const DEMONSTRATION = /^-{2,}\s*(?:BEGIN\s+)?DEMONSTRATION\s*-{2,}\s*$|^Here is a demonstration of how to correctly accomplish this task/im;

const lastNonEmptyLine = (text: string): string => {
  const trimmed = text.trimEnd();
  return trimmed.slice(trimmed.lastIndexOf('\n') + 1).trim();
};

/** True when the text carries an environment's framing (template markers, a trailing shell prompt, known feedback). */
export function looksLikeEnvironmentOutput(text: string): boolean {
  if (ENVIRONMENT_FEEDBACK.some((p) => p.test(text))) return true;
  // A tool result that carries the human's answer or feedback is the human's turn.
  if (HUMAN_REPLY.test(text.length > 20_000 ? text.slice(0, 20_000) : text)) return false;
  const head = text.length > 20_000 ? text.slice(0, 10_000) + '\n' + text.slice(-10_000) : text;
  if (ENVIRONMENT_MARKERS.some((p) => p.test(head))) return true;
  const last = lastNonEmptyLine(text);
  return last !== '#' && last.length <= 60 && PROMPT_LINE.test(last) && text.includes('\n');
}

export function looksLikeDemonstration(text: string): boolean {
  return DEMONSTRATION.test(text.length > 4000 ? text.slice(0, 4000) : text);
}

/** An action written in an assistant message's text, read as a tool call would be. */
export interface TextAction {
  /** `shell` for a command line, otherwise the tool named by the protocol (`<function=NAME>`). */
  name: string;
  args: Record<string, string>;
}

const FUNCTION_OPEN = /<function=([\w.-]+)>/y;
const PARAMETER_OPEN = /<parameter=([\w.-]+)>/y;
/** A fenced block with no language or a shell one: code in another language is shown, not run. */
const FENCE = /```([\w+-]*)[ \t]*\n([\s\S]*?)```/g;
const SHELL_FENCE = /^(?:|\w*(?:sh|bash|shell|console|terminal|cmd|command)\w*)$/i;

const CLOSING_TAG_AT_END = /<\/([a-z][a-z0-9_]{2,40})>\s*$/;
const OPENING_TAG = /\s*<([a-z][a-z0-9_]{0,40})>/y;
const ONLY_SPACE_LEFT = /\s*$/y;

/** `<a>…</a><b>…</b>` (whitespace between) as { a, b }; undefined for anything else. One forward pass. */
function parameterTags(body: string): Record<string, string> | undefined {
  const args: Record<string, string> = {};
  let at = 0;
  for (;;) {
    ONLY_SPACE_LEFT.lastIndex = at;
    if (ONLY_SPACE_LEFT.test(body)) break;
    OPENING_TAG.lastIndex = at;
    const open = OPENING_TAG.exec(body);
    if (!open) return undefined;
    const close = `</${open[1]}>`;
    const end = body.indexOf(close, OPENING_TAG.lastIndex);
    if (end < 0) return undefined;
    args[open[1]] = body.slice(OPENING_TAG.lastIndex, end).replace(/^\n/, '').replace(/\n$/, '');
    at = end + close.length;
  }
  return Object.keys(args).length > 0 ? args : undefined;
}

/**
 * The XML tool use that ends a message, as Cline, Roo Code and their forks write it:
 * `<read_file>\n<path>src/a.ts</path>\n</read_file>`: a tag holding only parameter tags.
 */
function xmlToolUseOf(text: string): TextAction | undefined {
  const closing = CLOSING_TAG_AT_END.exec(text.slice(-200));
  if (!closing) return undefined;
  const name = closing[1];
  const end = text.lastIndexOf(`</${name}>`);
  const start = text.lastIndexOf(`<${name}>`, end);
  if (start < 0) return undefined;
  const args = parameterTags(text.slice(start + name.length + 2, end));
  return args ? { name, args } : undefined;
}

/**
 * The body of the last `<open…>…</close>` block of `text`, found from its last closing tag (so an
 * attacker's thousands of unclosed openings cost one backward scan, not one forward scan each).
 * `open` is the opening tag's literal start; `header` (sticky) must match right there.
 */
function lastBlock(text: string, open: string, close: string, header?: RegExp): { head: RegExpExecArray | null; body: string } | undefined {
  const end = text.lastIndexOf(close);
  if (end < 0) return undefined;
  const start = text.lastIndexOf(open, end);
  if (start < 0) return undefined;
  if (!header) return { head: null, body: text.slice(start + open.length, end) };
  header.lastIndex = start;
  const head = header.exec(text);
  return head && header.lastIndex <= end ? { head, body: text.slice(header.lastIndex, end) } : undefined;
}

/** `<parameter=a>…</parameter>` blocks of a function call, in one forward pass. */
function functionParameters(body: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (let at = body.indexOf('<parameter='); at >= 0; at = body.indexOf('<parameter=', at)) {
    PARAMETER_OPEN.lastIndex = at;
    const open = PARAMETER_OPEN.exec(body);
    if (!open) {
      at += 1;
      continue;
    }
    const end = body.indexOf('</parameter>', PARAMETER_OPEN.lastIndex);
    if (end < 0) break;
    args[open[1]] = body.slice(PARAMETER_OPEN.lastIndex, end).replace(/^\n/, '').replace(/\n$/, '');
    at = end + '</parameter>'.length;
  }
  return args;
}

/**
 * The action an assistant message carries, in the protocols agents use: prompt-based function calls
 * (`<function=…><parameter=…>`), XML tool uses (Cline, Roo Code), SWE-agent's XML `<command>`,
 * CodeAct's `<execute_bash>`, or the last fenced code block (SWE-agent's default protocol, mini-swe-agent).
 */
export function textActionOf(text: string): TextAction | undefined {
  const call = lastBlock(text, '<function=', '</function>', FUNCTION_OPEN);
  if (call?.head) return { name: call.head[1], args: functionParameters(call.body) };
  const xmlTool = xmlToolUseOf(text);
  if (xmlTool) return xmlTool;
  const tagged = lastBlock(text, '<command>', '</command>')?.body.trim();
  if (tagged) return { name: 'shell', args: { command: tagged } };
  // The later of the last bash block and the last IPython block.
  const bash = text.lastIndexOf('</execute_bash>');
  const python = text.lastIndexOf('</execute_ipython>');
  if (bash >= 0 || python >= 0) {
    const shell = bash > python;
    const body = lastBlock(text, shell ? '<execute_bash>' : '<execute_ipython>', shell ? '</execute_bash>' : '</execute_ipython>')?.body.trim();
    if (body) return shell ? { name: 'shell', args: { command: body } } : { name: 'execute_ipython_cell', args: { code: body } };
  }
  let fenced: RegExpMatchArray | undefined;
  let last: RegExpMatchArray | undefined;
  for (const m of text.matchAll(FENCE)) {
    last = m;
    if (SHELL_FENCE.test(m[1]) && !m[2].startsWith('<<<<<<< SEARCH')) fenced = m;
  }
  // An action ends the message (the thought, then the command); a block followed by more prose is shown, not run.
  const endsMessage = fenced !== undefined && fenced === last && text.slice(fenced.index! + fenced[0].length).trim() === '';
  if (endsMessage && fenced?.[2].trim()) return { name: 'shell', args: { command: fenced[2].trim() } };
  return undefined;
}

const isUserText = (item: Item): item is MessageItem => item.kind === 'message' && item.role === 'user' && item.content.some((p) => p.type === 'text');

/** The first and the last line with digits, quoted text and paths blurred: what a template keeps constant. */
function skeletonsOf(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) return [];
  const blur = (line: string) => line.replace(/(["'`]).*?\1/g, 'Q').replace(/\S*[/\\]\S*/g, 'P').replace(/\d+/g, '0').slice(0, 80);
  return [`first:${blur(lines[0])}`, `last:${blur(lines[lines.length - 1])}`];
}

/** A frame line is markup, not prose: brackets, tags, a prompt, a blurred path or number, or a short label. */
const STRUCTURED = (skeleton: string) => {
  const line = skeleton.slice(skeleton.indexOf(':') + 1);
  return /[[\]<>(){}$#|=]|\b[0P]\b/.test(line) || (/^[\w -]{2,20}:$/.test(line) && !/\s\w+\s/.test(line));
};

/** Skeleton lines shared by at least three replies and by at least half of them: a template's frame. */
function templateFrames(replies: string[]): Set<string> {
  const counts = new Map<string, number>();
  for (const text of replies) for (const s of new Set(skeletonsOf(text))) counts.set(s, (counts.get(s) ?? 0) + 1);
  const frames = new Set<string>();
  for (const [skeleton, count] of counts) if (count >= 3 && count * 2 >= replies.length && STRUCTURED(skeleton)) frames.add(skeleton);
  return frames;
}

/**
 * A demonstration replayed as turns (SWE-agent's `put_demos_in_history`): the task template opens
 * the session twice, the example's task first and the real one after the example's last
 * observation. Returns the index of the real task, everything before it being the example.
 */
function replayedDemonstrationEnd(opening: { index: number; text: string }[]): number | undefined {
  const long = opening.filter((o) => o.text.length > 300);
  if (long.length < 2) return undefined;
  const firstLine = (text: string) => text.trimStart().split('\n', 1)[0].slice(0, 120);
  const template = firstLine(long[0].text);
  // A sentence (not a tag such as `<environment_context>` that some agents resend) of at least four words.
  if (template.length < 20 || template.split(/\s+/).length < 4 || template.startsWith('<')) return undefined;
  return long.slice(1).find((o) => firstLine(o.text) === template)?.index;
}

/**
 * Marks, on a copy, the user messages that are an environment's output (`observation`) or an
 * in-context demonstration (`demonstration`). An observation answers an assistant message and either
 * carries an environment's framing or shares its first or last line with the other answers to
 * actions (a template the relay has never seen). The human's messages stay user messages.
 * Returns the same object when nothing is marked.
 */
export function markTextProtocol(conversation: Conversation): Conversation {
  const items = conversation.items;
  const marks = new Map<number, 'observation' | 'demonstration'>();
  const answersToActions: { index: number; text: string }[] = [];
  const opening: { index: number; text: string }[] = [];
  let previous: Item | undefined;
  items.forEach((item, index) => {
    if (item.kind === 'reasoning') return;
    const before = previous;
    previous = item;
    if (!isUserText(item) || item.observation || item.demonstration) return;
    const text = messageText(item.content);
    // The relay's own summary: never an observation, never masked.
    if (isRelaySummaryText(text)) return;
    if (looksLikeDemonstration(text)) {
      marks.set(index, 'demonstration');
      return;
    }
    if (before?.kind !== 'message' || before.role !== 'assistant') {
      opening.push({ index, text });
      return;
    }
    if (looksLikeEnvironmentOutput(text)) marks.set(index, 'observation');
    else if (textActionOf(messageText(before.content))) answersToActions.push({ index, text });
  });
  const frames = templateFrames(answersToActions.map((a) => a.text));
  if (frames.size > 0) {
    for (const { index, text } of answersToActions) if (skeletonsOf(text).some((s) => frames.has(s))) marks.set(index, 'observation');
  }
  // Only in a text-protocol session: its observations were recognised above.
  const observations = [...marks.values()].filter((m) => m === 'observation').length;
  const replayedFrom = observations >= 2 ? replayedDemonstrationEnd(opening) : undefined;
  if (replayedFrom !== undefined) {
    items.forEach((item, index) => {
      if (index < replayedFrom && item.kind === 'message' && (item.role === 'user' || item.role === 'assistant')) marks.set(index, 'demonstration');
    });
  }
  if (marks.size === 0) return conversation;
  const marked = items.map((item, index) => {
    const mark = marks.get(index);
    return mark && item.kind === 'message' ? { ...item, [mark]: true } : item;
  });
  return { ...conversation, items: marked };
}
