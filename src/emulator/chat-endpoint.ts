// The emulator's POST /v1/chat/completions: OpenAI's validation of tool-call pairing, whole
// `chat.completion` answers, and chunk streams with the usage chunk only when asked for.
import type { ServerResponse } from 'node:http';
import { dataFrame, writeFrames } from './sse.ts';
import type { PlannedReply } from './script.ts';
import { deltasOf, finishReasonOf } from './script.ts';

/** OpenAI's rule: every tool message answers an earlier call, every call gets an answer. Returns an error message or undefined. */
export function checkToolPairing(messages: any[]): string | undefined {
  const open = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m?.role === 'assistant' && Array.isArray(m.tool_calls)) {
      if (open.size > 0) return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
      for (const call of m.tool_calls) open.add(String(call.id));
    } else if (m?.role === 'tool') {
      if (!open.has(String(m.tool_call_id))) return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (tool_call_id ${m.tool_call_id})`;
      open.delete(String(m.tool_call_id));
    } else if (open.size > 0) {
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    }
  }
  return undefined;
}

function usageOf(plan: PlannedReply) {
  return {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: plan.totalTokens,
    prompt_tokens_details: { cached_tokens: plan.cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export function chatCompletionObject(id: string, model: string, plan: PlannedReply) {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.toolCalls.length && !plan.text ? null : plan.text, refusal: null };
  if (plan.toolCalls.length) message.tool_calls = plan.toolCalls.map((c) => ({ id: c.callId, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(plan) }],
    usage: usageOf(plan),
    system_fingerprint: 'fp_emulator',
  };
}

/** Writes the stream; `stopAfter` cuts it (without [DONE]) after that many frames; `malformed` sends a broken frame. */
export async function streamChat(res: ServerResponse, id: string, model: string, plan: PlannedReply, includeUsage: boolean, options: { delayMs: number; stopAfter?: number; malformed?: boolean }): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_emulator', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const frames: string[] = [dataFrame(chunk({ role: 'assistant', content: '', refusal: null }))];
  for (const piece of deltasOf(plan.text)) frames.push(dataFrame(chunk({ content: piece })));
  plan.toolCalls.forEach((c, index) => {
    frames.push(dataFrame(chunk({ tool_calls: [{ index, id: c.callId, type: 'function', function: { name: c.name, arguments: '' } }] })));
    for (const piece of deltasOf(c.arguments, 2)) frames.push(dataFrame(chunk({ tool_calls: [{ index, function: { arguments: piece } }] })));
  });
  frames.push(dataFrame(chunk({}, finishReasonOf(plan))));
  if (includeUsage) frames.push(dataFrame({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(plan) }));
  frames.push(dataFrame('[DONE]'));
  await writeFrames(res, frames, { delayMs: options.delayMs, stopAfter: options.stopAfter, malformedAt: options.malformed ? 1 : undefined, malformedFrame: 'data: {"id": broken\n\n' });
}
