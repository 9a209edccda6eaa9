// The summarizer the compaction engine calls when a model summary is wanted: one non-streaming
// request to a channel, in that channel's own wire format, returning the text and real usage.
import type { Agent } from 'undici';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { pickChannel, upstreamModelFor } from '../upstream/router.ts';
import { sendUpstream } from '../upstream/send.ts';
import { upstreamStatusError } from '../upstream/relay-response.ts';
import { usageFromChat, usageFromResponses } from '../upstream/usage-tap.ts';
import { badGateway } from '../errors.ts';
import type { SummarizeCall } from '../compaction/index.ts';


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

export function channelSummarizer(agent: Agent, model: string, candidates: ChannelRecord[], timeoutMs: number, signal?: AbortSignal): SummarizeCall {
  return async (req) => {
    const channel = pickChannel(candidates);
    if (!channel) throw badGateway(`No channel can summarize with the model "${model}".`, 'summarizer_unavailable');
    const upstreamModel = upstreamModelFor(channel, model);
    const chat = channel.type === 'openai-chat';
    const body = chat
      ? { model: upstreamModel, messages: [{ role: 'system', content: req.system }, { role: 'user', content: req.prompt }], max_tokens: req.maxOutputTokens, temperature: 0 }
      : { model: upstreamModel, instructions: req.system, input: [{ role: 'user', content: req.prompt }], max_output_tokens: req.maxOutputTokens, store: false };
    const response = await sendUpstream(agent, {
      channel,
      path: chat ? '/chat/completions' : '/responses',
      body: JSON.stringify(body),
      signal,
      timeoutMs: channel.options.timeoutMs ?? timeoutMs,
    });
    if (response.statusCode >= 400) throw await upstreamStatusError(channel, response);
    const parsed: any = await response.body.json();
    const text = chat ? String(parsed?.choices?.[0]?.message?.content ?? '') : responsesOutputText(parsed?.output);
    const usage = chat ? usageFromChat(parsed?.usage) : usageFromResponses(parsed?.usage);
    return { text, model: upstreamModel, inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
  };
}
