// The emulator's POST /v1/responses: whole `response` objects and the full event stream, with
// function calls, real-looking usage, and (when enabled) native compaction bound to its issuer.
import type { ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { namedFrame, writeFrames } from './sse.ts';
import type { PlannedReply } from './script.ts';
import { deltasOf } from './script.ts';

const EMU_PREFIX = 'emu1.';

/**
 * Opaque blobs only the emulator instance that minted them accepts back, like OpenAI's encrypted
 * content (bound to the organization and key that produced it). Each has a nonce, so no two match.
 */
export class BlobMinter {
  private readonly secret = randomBytes(16);

  mint(kind: string, text: string): string {
    const payload = Buffer.from(JSON.stringify({ kind, text, nonce: randomBytes(6).toString('hex') })).toString('base64url');
    return `${EMU_PREFIX}${payload}.${createHmac('sha256', this.secret).update(payload).digest('base64url')}`;
  }

  isOwn(blob: string): boolean {
    if (!blob.startsWith(EMU_PREFIX)) return false;
    const [payload, tag] = blob.slice(EMU_PREFIX.length).split('.');
    return !!payload && tag === createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** The first encrypted blob in an input that this instance did not mint, if any. */
  foreignIn(input: unknown): string | undefined {
    if (!Array.isArray(input)) return undefined;
    for (const item of input as any[]) {
      const blob = item?.encrypted_content;
      if ((item?.type === 'compaction' || item?.type === 'reasoning') && typeof blob === 'string' && !this.isOwn(blob)) return blob;
    }
    return undefined;
  }
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export function responsesUsage(plan: PlannedReply) {
  return {
    input_tokens: plan.inputTokens,
    input_tokens_details: { cached_tokens: plan.cachedTokens },
    output_tokens: plan.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: plan.totalTokens,
  };
}

export function outputItems(plan: PlannedReply): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  // Like OpenAI: the items of an answer cut at the output limit are `incomplete`.
  const status = plan.truncated ? 'incomplete' : 'completed';
  if (plan.text) items.push({ id: newId('msg'), type: 'message', status, role: 'assistant', content: [{ type: 'output_text', text: plan.text, annotations: [] }] });
  for (const c of plan.toolCalls) items.push({ id: newId('fc'), type: 'function_call', status, call_id: c.callId, name: c.name, arguments: c.arguments });
  return items;
}

export function responseObject(id: string, model: string, status: string, output: unknown[], usage: unknown) {
  const incomplete = status === 'incomplete' ? { reason: 'max_output_tokens' } : null;
  return { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model, output, usage, error: null, incomplete_details: incomplete };
}

/** `incomplete` when any item was cut at the output limit, else `completed`. */
export const responseStatusOf = (items: Record<string, unknown>[]) => (items.some((i) => i.status === 'incomplete') ? 'incomplete' : 'completed');

export async function streamResponse(res: ServerResponse, id: string, model: string, items: Record<string, unknown>[], usage: unknown, options: { delayMs: number; stopAfter?: number; malformed?: boolean }): Promise<void> {
  let seq = 0;
  const frames: string[] = [];
  const push = (type: string, payload: Record<string, unknown>) => frames.push(namedFrame(type, { sequence_number: seq++, ...payload }));
  push('response.created', { response: responseObject(id, model, 'in_progress', [], null) });
  push('response.in_progress', { response: responseObject(id, model, 'in_progress', [], null) });
  items.forEach((item: any, index) => {
    if (item.type === 'message') {
      const text = item.content[0].text as string;
      push('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      push('response.content_part.added', { output_index: index, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      for (const delta of deltasOf(text)) push('response.output_text.delta', { output_index: index, item_id: item.id, content_index: 0, delta });
      push('response.output_text.done', { output_index: index, item_id: item.id, content_index: 0, text });
      push('response.content_part.done', { output_index: index, item_id: item.id, content_index: 0, part: item.content[0] });
    } else if (item.type === 'function_call') {
      push('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of deltasOf(item.arguments, 2)) push('response.function_call_arguments.delta', { output_index: index, item_id: item.id, delta });
      push('response.function_call_arguments.done', { output_index: index, item_id: item.id, arguments: item.arguments });
    } else {
      push('response.output_item.added', { output_index: index, item });
    }
    push('response.output_item.done', { output_index: index, item });
  });
  const status = responseStatusOf(items);
  push(`response.${status}`, { response: responseObject(id, model, status, items, usage) });
  await writeFrames(res, frames, { delayMs: options.delayMs, stopAfter: options.stopAfter, malformedAt: options.malformed ? 2 : undefined, malformedFrame: 'event: response.output_text.delta\ndata: {broken\n\n' });
}

export { newId };
