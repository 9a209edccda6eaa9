// The summarizer's request in a channel's own wire format (Chat, Responses or Anthropic Messages)
// and how to read the text and real usage from that channel's answer.
import type { ChannelRecord } from '../store/catalog-store.ts';
import type { Usage } from '../conversation/model.ts';
import { usageFromChat } from '../adapters/chat/usage.ts';
import { usageFromResponses } from '../adapters/responses/usage.ts';
import { usageFromAnthropic } from '../adapters/anthropic/usage.ts';

/** Text of a Responses `output` array: every output_text part of every assistant message. */
export function responsesOutputText(output: unknown): string {
  if (!Array.isArray(output)) return '';
  const texts: string[] = [];
  for (const item of output) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (part?.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}

/** Text of an Anthropic `message`: its text blocks. */
export function anthropicMessageText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
}

export interface SummaryRequest {
  path: string;
  body: Record<string, unknown>;
  read: (answer: any) => { text: string; usage: Usage | undefined };
}

export interface SummaryPrompt {
  system: string;
  prompt: string;
  maxOutputTokens: number;
}

/** The summary request for `channel`, with `model` already the channel's own name for it. */
export function summaryRequest(channel: ChannelRecord, model: string, p: SummaryPrompt): SummaryRequest {
  if (channel.type === 'openai-chat') {
    return {
      path: '/chat/completions',
      body: { model, messages: [{ role: 'system', content: p.system }, { role: 'user', content: p.prompt }], max_tokens: p.maxOutputTokens, temperature: 0 },
      read: (a) => ({ text: String(a?.choices?.[0]?.message?.content ?? ''), usage: usageFromChat(a?.usage) }),
    };
  }
  if (channel.type === 'anthropic') {
    return {
      path: '/messages',
      body: { model, system: p.system, messages: [{ role: 'user', content: p.prompt }], max_tokens: p.maxOutputTokens, temperature: 0 },
      read: (a) => ({ text: anthropicMessageText(a?.content), usage: usageFromAnthropic(a?.usage) }),
    };
  }
  return {
    path: '/responses',
    body: { model, instructions: p.system, input: [{ role: 'user', content: p.prompt }], max_output_tokens: p.maxOutputTokens, store: false },
    read: (a) => ({ text: responsesOutputText(a?.output), usage: usageFromResponses(a?.usage) }),
  };
}
