// Reads saved sessions into the neutral model: chat `messages`, Responses `input`, and recorded
// agent trajectories (SWE-agent `.traj`, mini-swe-agent, OpenHands events, Claude Code logs,
// Codex rollouts, Gemini contents).
import type { Conversation, Item } from './model.ts';
import type { LoadedSession, SessionFormat } from './loaders/loaded-session.ts';
import { adapterFor } from '../adapters/registry.ts';
import { isAiderHistory, loadAiderHistory } from './loaders/aider.ts';
import { isClaudeCodeLog, loadClaudeCodeLog } from './loaders/claude-code.ts';
import { isCodexRollout, loadCodexRollout } from './loaders/codex-rollout.ts';
import { isGeminiContents, loadGeminiContents } from './loaders/gemini-contents.ts';

export type { LoadedSession, SessionFormat } from './loaders/loaded-session.ts';

export class SessionFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionFormatError';
  }
}

const looksLikeResponsesItems = (items: any[]) => items.some((i) => typeof i?.type === 'string' && i.type !== 'text') && !items.some((i) => i?.role === 'tool');
const looksLikeChat = (items: any[]) => items.length > 0 && items.every((i) => typeof i?.role === 'string');

function claudeCodeToItems(lines: any[]): Item[] {
  const items: Item[] = [];
  for (const line of lines) {
    const message = line?.message;
    if (!message || (line.type !== 'user' && line.type !== 'assistant')) continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    if (typeof message.content === 'string') {
      items.push({ kind: 'message', role, content: [{ type: 'text', text: message.content }] });
      continue;
    }
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (block?.type === 'text') items.push({ kind: 'message', role, content: [{ type: 'text', text: String(block.text ?? '') }] });
      else if (block?.type === 'thinking') items.push({ kind: 'reasoning', summary: [], text: String(block.thinking ?? '') });
      else if (block?.type === 'tool_use') items.push({ kind: 'tool_call', callId: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}), toolKind: 'function' });
      else if (block?.type === 'tool_result') {
        const content = typeof block.content === 'string' ? block.content : (Array.isArray(block.content) ? block.content : []).map((c: any) => String(c?.text ?? '')).join('\n');
        items.push({ kind: 'tool_result', callId: String(block.tool_use_id), output: content, toolKind: 'function', ...(block.is_error ? { isError: true } : {}) });
      }
    }
  }
  return items;
}

function openHandsToItems(events: any[]): Item[] {
  const items: Item[] = [];
  const pendingFlat: string[] = [];
  for (const event of events) {
    const meta = event?.tool_call_metadata;
    if (event?.action && meta?.tool_call_id) {
      const calls = meta.model_response?.choices?.[0]?.message?.tool_calls ?? [];
      const call = calls.find((c: any) => c.id === meta.tool_call_id);
      const thought = event.args?.thought;
      if (thought) items.push({ kind: 'message', role: 'assistant', content: [{ type: 'text', text: String(thought) }] });
      items.push({ kind: 'tool_call', callId: String(meta.tool_call_id), name: String(meta.function_name ?? call?.function?.name ?? event.action), arguments: String(call?.function?.arguments ?? JSON.stringify(event.args ?? {})), toolKind: 'function' });
    } else if (event?.observation && meta?.tool_call_id) {
      items.push({ kind: 'tool_result', callId: String(meta.tool_call_id), output: String(event.content ?? event.message ?? ''), toolKind: 'function' });
    } else if ((event?.action === 'run' || event?.action === 'run_ipython') && !meta) {
      // Older flat schema (resolver output): an action is answered by the next observation of its kind.
      const callId = `oh_${items.length}`;
      const thought = event.args?.thought ?? event.thought;
      if (thought) items.push({ kind: 'message', role: 'assistant', content: [{ type: 'text', text: String(thought) }] });
      const args = event.action === 'run' ? { command: String(event.args?.command ?? event.command ?? '') } : { code: String(event.args?.code ?? event.code ?? '') };
      items.push({ kind: 'tool_call', callId, name: event.action === 'run' ? 'execute_bash' : 'execute_ipython_cell', arguments: JSON.stringify(args), toolKind: 'function' });
      pendingFlat.push(callId);
    } else if ((event?.observation === 'run' || event?.observation === 'run_ipython') && !meta && pendingFlat.length > 0) {
      const exit = event.exit_code ?? event.extras?.exit_code;
      const marker = exit === undefined || exit === null ? '' : `\n[Command finished with exit code ${exit}]`;
      items.push({ kind: 'tool_result', callId: pendingFlat.shift()!, output: String(event.content ?? '') + marker, toolKind: 'function' });
    } else if (event?.action === 'message' || event?.action === 'finish') {
      const text = String(event.args?.content ?? event.args?.thought ?? event.content ?? event.thought ?? event.message ?? '');
      if (text) items.push({ kind: 'message', role: event.source === 'user' ? 'user' : 'assistant', content: [{ type: 'text', text }] });
    }
  }
  // Calls the trajectory never answered (the session ended) cannot be replayed to a model.
  const answered = new Set(items.filter((i) => i.kind === 'tool_result').map((i) => (i as { callId: string }).callId));
  return items.filter((i) => i.kind !== 'tool_call' || answered.has(i.callId));
}

/**
 * Text-protocol agents (SWE-agent without function calling, mini-swe-agent) answer each action with
 * a user message holding the environment's output: every user message after the first assistant
 * message is marked as an observation, so compaction does not mistake it for the user's words.
 */
function markObservations(conversation: Conversation): Conversation {
  let seenAssistant = false;
  for (const item of conversation.items) {
    if (item.kind !== 'message') continue;
    if (item.role === 'assistant') seenAssistant = true;
    else if (item.role === 'user' && seenAssistant) item.observation = true;
  }
  return conversation;
}

/**
 * A trajectory's message as a Chat Completions message: the agent's own bookkeeping (`extra`,
 * `agent`, `message_type`, `thought`, `action`, `is_demo`) left out, which no model API accepts, and
 * SWE-agent's `tool_call_ids` given as `tool_call_id`.
 */
function asChatMessage(message: any): any {
  if (!message || typeof message !== 'object') return message;
  const { role, content, name, tool_calls: toolCalls, tool_call_id: toolCallId, tool_call_ids: toolCallIds, reasoning_content: reasoning } = message;
  const callId = toolCallId ?? (Array.isArray(toolCallIds) ? toolCallIds[0] : undefined);
  return { role, content, ...(name ? { name } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}), ...(callId !== undefined ? { tool_call_id: callId } : {}), ...(reasoning ? { reasoning_content: reasoning } : {}) };
}

const isMiniSweAgent = (messages: any[]) => messages.some((m) => m?.role === 'user' && typeof m.content === 'string' && m.content.startsWith('<returncode>'));

/** Parses a session file's text; throws SessionFormatError naming what was expected. */
export function loadSessionFile(text: string, filename = 'input', format: 'auto' | SessionFormat = 'auto'): LoadedSession {
  if (format === 'auto' && isAiderHistory(text)) return loadAiderHistory(text);
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const lines = text.split('\n').filter((l) => l.trim());
    try {
      data = { jsonl: lines.map((l) => JSON.parse(l)) };
    } catch {
      throw new SessionFormatError(`${filename} is neither JSON nor JSON Lines: ${(err as Error).message}`);
    }
  }
  const chat = (messages: unknown[], source: string): LoadedSession => ({ format: 'chat', conversation: adapterFor('chat').decodeConversation({ messages }), source });
  const responses = (input: unknown[], source: string, instructions?: string): LoadedSession => ({ format: 'responses', conversation: adapterFor('responses').decodeConversation({ input, instructions }), source });
  if (format === 'chat') {
    const messages = Array.isArray(data) ? data : data?.messages ?? data?.history;
    if (!Array.isArray(messages)) throw new SessionFormatError(`${filename}: --format chat needs a messages array or {"messages": [...]}`);
    return chat(messages, 'chat messages');
  }
  if (format === 'responses') {
    const input = Array.isArray(data) ? data : data?.input;
    if (!Array.isArray(input)) throw new SessionFormatError(`${filename}: --format responses needs an items array or {"input": [...]}`);
    return responses(input, 'responses input', data?.instructions);
  }
  // OpenHands resolver output: one issue per line, each with its event history; the longest is taken.
  const resolverRuns = Array.isArray(data?.jsonl) ? data.jsonl.filter((r: any) => Array.isArray(r?.history)) : [];
  if (resolverRuns.length > 0) {
    const longest = resolverRuns.reduce((a: any, b: any) => (b.history.length > a.history.length ? b : a));
    const events = longest.history.map((e: any, i: number) => (i === 0 && e?.action === 'message' && !e.source ? { ...e, source: 'user' } : e));
    return { format: 'chat', conversation: { items: openHandsToItems(events), tools: [] }, source: 'openhands resolver output' };
  }
  if (Array.isArray(data?.jsonl) && isCodexRollout(data.jsonl)) return loadCodexRollout(data.jsonl);
  if (Array.isArray(data?.jsonl) && isClaudeCodeLog(data.jsonl)) return loadClaudeCodeLog(data.jsonl);
  if (Array.isArray(data?.jsonl)) {
    const items = claudeCodeToItems(data.jsonl);
    if (items.length === 0) throw new SessionFormatError(`${filename}: JSON Lines, but no line is a recognised session record (a Claude Code log or a Codex rollout).`);
    return { format: 'chat', conversation: { items, tools: [] }, source: 'claude-code jsonl' };
  }
  if (Array.isArray(data?.loglines)) return { format: 'chat', conversation: { items: claudeCodeToItems(data.loglines), tools: [] }, source: 'claude-code json' };
  const trajectory = (messages: unknown[], source: string): LoadedSession => {
    const session = chat(messages.map(asChatMessage), source);
    markObservations(session.conversation);
    return session;
  };
  if (isGeminiContents(data?.contents)) return loadGeminiContents(data.contents, data.systemInstruction ?? data.system_instruction);
  if (isGeminiContents(data)) return loadGeminiContents(data);
  if (Array.isArray(data?.history)) return trajectory(data.history, 'swe-agent trajectory');
  if (Array.isArray(data?.messages)) return data?.info || isMiniSweAgent(data.messages) ? trajectory(data.messages, 'mini-swe-agent trajectory') : chat(data.messages, 'chat messages');
  if (Array.isArray(data?.input)) return responses(data.input, 'responses input', data?.instructions);
  if (Array.isArray(data)) {
    if (data.some((e: any) => e?.source && (e?.action || e?.observation))) return { format: 'chat', conversation: { items: openHandsToItems(data), tools: [] }, source: 'openhands events' };
    if (looksLikeChat(data)) return isMiniSweAgent(data) ? trajectory(data, 'mini-swe-agent trajectory') : chat(data, 'chat messages');
    if (looksLikeResponsesItems(data)) return responses(data, 'responses input');
  }
  throw new SessionFormatError(`${filename}: not a recognised session. Expected a chat messages array, {"messages": [...]}, Responses items, {"input": [...]}, a SWE-agent .traj, a mini-swe-agent trajectory, OpenHands events, a Claude Code log, a Codex rollout or Gemini contents.`);
}
