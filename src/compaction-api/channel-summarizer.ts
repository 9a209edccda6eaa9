// The summarizer the compaction engine calls when a model summary is wanted: one non-streaming
// request to a channel, in that channel's own wire format (Chat, Responses or Anthropic Messages),
// returning the text and real usage.
import type { Agent } from 'undici';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { pickChannel, upstreamModelFor } from '../upstream/router.ts';
import { sendUpstream } from '../upstream/send.ts';
import { upstreamStatusError } from '../upstream/relay-response.ts';
import { usageFromAnthropic, usageFromChat, usageFromResponses } from '../upstream/usage-tap.ts';
import type { Usage } from '../conversation/model.ts';
import { badGateway } from '../errors.ts';
import { readBoundedText, tooLargeError, UpstreamBodyTooLarge } from '../upstream/bounded-body.ts';
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

/** Text of an Anthropic `message`: its text blocks. */
export function anthropicMessageText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
}

interface SummaryRequest {
  path: string;
  body: Record<string, unknown>;
  read: (answer: any) => { text: string; usage: Usage | undefined };
}

/** The summary request in the channel's own wire format, and how to read its answer. */
function summaryRequest(channel: ChannelRecord, model: string, system: string, prompt: string, maxOutputTokens: number): SummaryRequest {
  if (channel.type === 'openai-chat') {
    return {
      path: '/chat/completions',
      body: { model, messages: [{ role: 'system', content: system }, { role: 'user', content: prompt }], max_tokens: maxOutputTokens, temperature: 0 },
      read: (a) => ({ text: String(a?.choices?.[0]?.message?.content ?? ''), usage: usageFromChat(a?.usage) }),
    };
  }
  if (channel.type === 'anthropic') {
    return {
      path: '/messages',
      body: { model, system, messages: [{ role: 'user', content: prompt }], max_tokens: maxOutputTokens, temperature: 0 },
      read: (a) => ({ text: anthropicMessageText(a?.content), usage: usageFromAnthropic(a?.usage) }),
    };
  }
  return {
    path: '/responses',
    body: { model, instructions: system, input: [{ role: 'user', content: prompt }], max_output_tokens: maxOutputTokens, store: false },
    read: (a) => ({ text: responsesOutputText(a?.output), usage: usageFromResponses(a?.usage) }),
  };
}

export function channelSummarizer(agent: Agent, model: string, candidates: ChannelRecord[], timeoutMs: number, signal?: AbortSignal, bodyLimitBytes?: number): SummarizeCall {
  return async (req) => {
    const channel = pickChannel(candidates);
    if (!channel) throw badGateway(`No channel can summarize with the model "${model}".`, 'summarizer_unavailable');
    const upstreamModel = upstreamModelFor(channel, model);
    const summary = summaryRequest(channel, upstreamModel, req.system, req.prompt, req.maxOutputTokens);
    const response = await sendUpstream(agent, {
      channel,
      path: summary.path,
      body: JSON.stringify(summary.body),
      signal,
      timeoutMs: channel.options.timeoutMs ?? timeoutMs,
    });
    if (response.statusCode >= 400) throw await upstreamStatusError(channel, response);
    let answer: unknown;
    try {
      answer = JSON.parse(await readBoundedText(response.body, bodyLimitBytes));
    } catch (err) {
      if (err instanceof UpstreamBodyTooLarge) throw tooLargeError(channel.name, err);
      throw badGateway(`Summarizer channel "${channel.name}" answered with a body that is not JSON.`, 'upstream_bad_response', err);
    }
    const { text, usage } = summary.read(answer);
    return { text, model: upstreamModel, inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
  };
}
