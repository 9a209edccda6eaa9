// Claude Code session logs (`~/.claude/projects/<project>/<session>.jsonl`): the main thread and
// each Task sub-agent's thread (`isSidechain: true`, its own parentUuid chain) are separate
// conversations. Records of one assistant turn (shared `message.id`) and consecutive tool results
// are merged into one Anthropic message each, as the API received them.
import type { Conversation } from '../model.ts';
import { adapterFor } from '../../adapters/registry.ts';
import type { LoadedSession } from './loaded-session.ts';

export interface ClaudeCodeThread {
  /** `main`, or the uuid of the sidechain's root record. */
  id: string;
  sidechain: boolean;
  /** The Anthropic Messages request this thread amounts to. */
  body: { messages: { role: 'user' | 'assistant'; content: any[] }[] };
  conversation: Conversation;
}

export const isClaudeCodeLog = (records: any[]) => records.some((r) => (r?.type === 'user' || r?.type === 'assistant') && r?.message && typeof r?.uuid === 'string');

const blocksOf = (content: unknown): any[] => (typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : Array.isArray(content) ? content : []);

/** Merges a thread's records into alternating Anthropic messages. */
function messagesOf(records: any[]): ClaudeCodeThread['body']['messages'] {
  const messages: ClaudeCodeThread['body']['messages'] = [];
  for (const record of records) {
    const role = record.message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(record.message.content);
    if (blocks.length === 0) continue;
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: [...blocks] });
  }
  return messages;
}

/** Every thread of the log: the main thread first, then sidechains in order of appearance. */
export function claudeCodeThreads(records: any[]): ClaudeCodeThread[] {
  const turns = records.filter((r) => (r?.type === 'user' || r?.type === 'assistant') && r?.message);
  const rootOf = new Map<string, string>();
  const groups = new Map<string, any[]>();
  for (const record of turns) {
    const parent = typeof record.parentUuid === 'string' ? rootOf.get(record.parentUuid) : undefined;
    const root = record.isSidechain ? (parent && parent !== 'main' ? parent : String(record.uuid)) : 'main';
    rootOf.set(String(record.uuid), root);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(record);
  }
  const threads: ClaudeCodeThread[] = [];
  for (const [id, group] of groups) {
    const body = { messages: messagesOf(group) };
    if (body.messages.length === 0) continue;
    threads.push({ id, sidechain: id !== 'main', body, conversation: adapterFor('anthropic').decodeConversation(body) });
  }
  return threads.sort((a, b) => Number(a.sidechain) - Number(b.sidechain));
}

/** The main thread alone (sub-agent threads left out), or the first thread when there is no main one. */
export function claudeCodeMainThread(records: any[]): Conversation {
  const threads = claudeCodeThreads(records);
  return (threads.find((t) => !t.sidechain) ?? threads[0])?.conversation ?? { items: [], tools: [] };
}

/** The log as the trajectory loader returns it: the main thread, in chat output format. */
export function loadClaudeCodeLog(records: any[]): LoadedSession {
  return { format: 'chat', conversation: claudeCodeMainThread(records), source: 'claude-code jsonl (main thread)' };
}
