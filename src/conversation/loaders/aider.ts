// aider's markdown chat history (`.aider.chat.history.md`): many sessions in one file, each
// opened by `# aider chat started at …`; `#### ` lines are the user's, `> ` lines are aider's own
// output (shell, lint and test results, "Applied edit to …"), the rest is the model's text.
import type { Conversation, Item } from '../model.ts';
import type { LoadedSession } from './loaded-session.ts';

export interface AiderSession {
  /** The timestamp from the session's header line. */
  startedAt: string;
  conversation: Conversation;
}

const HEADER = /^# aider chat started at (.+)$/;

export function isAiderHistory(text: string): boolean {
  return /^# aider chat started at /m.test(text.slice(0, 65_536));
}

type Kind = 'user' | 'output' | 'assistant';

/** The kind of one line and its text without the markdown prefix and hard-break spaces. */
function classify(line: string): { kind: Kind | 'blank'; text: string } {
  if (line.startsWith('#### ')) return { kind: 'user', text: line.slice(5).replace(/ {2}$/, '') };
  if (line === '>' || line.startsWith('> ')) return { kind: 'output', text: line.slice(2).replace(/ {2}$/, '') };
  if (line.trim() === '') return { kind: 'blank', text: '' };
  return { kind: 'assistant', text: line };
}

function message(kind: Kind, text: string): Item {
  if (kind === 'assistant') return { kind: 'message', role: 'assistant', content: [{ type: 'text', text }] };
  return { kind: 'message', role: 'user', content: [{ type: 'text', text }], ...(kind === 'output' ? { observation: true } : {}) };
}

/** One session's lines as messages: runs of lines of one kind make one message. */
function toConversation(lines: string[]): Conversation {
  const items: Item[] = [];
  let kind: Kind | undefined;
  let buffer: string[] = [];
  const flush = () => {
    const text = buffer.join('\n').trim();
    if (kind && text) items.push(message(kind, text));
    buffer = [];
  };
  for (const line of lines) {
    const c = classify(line);
    if (c.kind === 'blank') {
      buffer.push('');
      continue;
    }
    if (c.kind !== kind) {
      flush();
      kind = c.kind;
    }
    buffer.push(c.text);
  }
  flush();
  return { items, tools: [] };
}

/** Every session in the file, in file order. */
export function splitAiderSessions(text: string): AiderSession[] {
  const sessions: AiderSession[] = [];
  let current: { startedAt: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      if (current) sessions.push({ startedAt: current.startedAt, conversation: toConversation(current.lines) });
      current = { startedAt: header[1].trim(), lines: [] };
    } else if (current) current.lines.push(line);
  }
  if (current) sessions.push({ startedAt: current.startedAt, conversation: toConversation(current.lines) });
  return sessions;
}

/** Characters of a session's text: how "largest" is judged without a tokenizer. */
export const sessionChars = (s: AiderSession) => s.conversation.items.reduce((n, i) => n + (i.kind === 'message' ? i.content.reduce((m, p) => m + (p.type === 'text' ? p.text.length : 0), 0) : 0), 0);

/** The `count` largest sessions, largest first. */
export function largestAiderSessions(text: string, count: number): AiderSession[] {
  return splitAiderSessions(text).sort((a, b) => sessionChars(b) - sessionChars(a)).slice(0, count);
}

/** The file as the trajectory loader returns it: its largest session. */
export function loadAiderHistory(text: string): LoadedSession {
  const [largest] = largestAiderSessions(text, 1);
  return { format: 'chat', conversation: largest?.conversation ?? { items: [], tools: [] }, source: `aider chat history (session of ${largest?.startedAt ?? 'none'})` };
}
