// A summarizer for the offline `compact` command: one call to an OpenAI-compatible chat
// completions endpoint given by URL, key and model (the relay itself uses channel-summarizer).
import { request } from 'undici';
import type { SummarizeCall } from '../compaction/index.ts';

export function httpSummarizer(baseUrl: string, apiKey: string, model: string): SummarizeCall {
  return async (req) => {
    const response = await request(`${baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ model, messages: [{ role: 'system', content: req.system }, { role: 'user', content: req.prompt }], max_tokens: req.maxOutputTokens, temperature: 0 }),
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    const body: any = await response.body.json();
    if (response.statusCode >= 400) throw new Error(`summarizer answered ${response.statusCode}: ${body?.error?.message ?? 'error'}`);
    return {
      text: String(body?.choices?.[0]?.message?.content ?? ''),
      model,
      inputTokens: Number(body?.usage?.prompt_tokens ?? 0),
      outputTokens: Number(body?.usage?.completion_tokens ?? 0),
    };
  };
}
