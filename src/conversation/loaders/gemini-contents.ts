// Gemini conversations: a `generateContent` request body (`{contents, systemInstruction}`) or its
// `contents` array alone, as Gemini CLI checkpoints save it. Each content has a role (`user`,
// `model`, `function`) and parts: text, `functionCall {name, args}` and `functionResponse {name,
// response}`, a response answering the oldest unanswered call of the same name (Gemini gives calls
// no ids, so the loader numbers them).
import type { Conversation, Item } from '../model.ts';
import type { LoadedSession } from './loaded-session.ts';

const isContent = (c: any) => (c?.role === 'user' || c?.role === 'model' || c?.role === 'function') && Array.isArray(c?.parts);

/** True for Gemini contents: a non-empty array whose every entry has a Gemini role and a parts array. */
export function isGeminiContents(value: unknown): value is any[] {
  return Array.isArray(value) && value.length > 0 && value.every(isContent);
}

const textOfParts = (parts: any[]) => parts.filter((p) => typeof p?.text === 'string' && !p.thought).map((p) => p.text).join('');

export function loadGeminiContents(contents: any[], systemInstruction?: any): LoadedSession {
  const items: Item[] = [];
  const system = systemInstruction ? (typeof systemInstruction === 'string' ? systemInstruction : textOfParts(systemInstruction.parts ?? [])) : '';
  if (system) items.push({ kind: 'message', role: 'system', content: [{ type: 'text', text: system }] });
  const pending = new Map<string, string[]>();
  let calls = 0;
  for (const content of contents) {
    const role = content.role === 'model' ? 'assistant' : 'user';
    let text = '';
    const flush = () => {
      if (text) items.push({ kind: 'message', role, content: [{ type: 'text', text }] });
      text = '';
    };
    for (const part of content.parts) {
      if (typeof part?.text === 'string') {
        if (part.thought) items.push({ kind: 'reasoning', summary: [], text: part.text });
        else text += part.text;
      } else if (part?.functionCall) {
        flush();
        const name = String(part.functionCall.name ?? 'function');
        const callId = String(part.functionCall.id ?? `gemini_call_${++calls}`);
        pending.set(name, [...(pending.get(name) ?? []), callId]);
        items.push({ kind: 'tool_call', callId, name, arguments: JSON.stringify(part.functionCall.args ?? {}), toolKind: 'function' });
      } else if (part?.functionResponse) {
        flush();
        const name = String(part.functionResponse.name ?? 'function');
        const queue = pending.get(name) ?? [];
        const callId = String(part.functionResponse.id ?? queue.shift() ?? `gemini_call_${++calls}`);
        if (part.functionResponse.id) pending.set(name, queue.filter((id) => id !== callId));
        const response = part.functionResponse.response;
        const output = typeof response?.output === 'string' ? response.output : typeof response === 'string' ? response : JSON.stringify(response ?? {});
        items.push({ kind: 'tool_result', callId, output, toolKind: 'function' });
      }
    }
    flush();
  }
  const conversation: Conversation = { items, tools: [] };
  return { format: 'chat', conversation, source: 'gemini contents' };
}
