// The channel connection test: asks the upstream for its model list (GET {baseUrl}/models) with the
// channel's key and reports reachability, status, latency and how many models it lists.
import { request, type Agent } from 'undici';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { channelAuthHeaders } from '../upstream/channel-auth.ts';

export interface ChannelTestResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  modelCount: number | null;
  /** Up to 100 model ids, as the upstream lists them. */
  models: string[];
  /** Models the channel claims to serve that the upstream's list lacks (empty when the list is unavailable). */
  missingModels: string[];
  error: string | null;
}

const TEST_TIMEOUT_MS = 10_000;
const MAX_BODY_CHARS = 4 * 1024 * 1024;

/** An upstream's message with anything that looks like the channel's key removed. */
function redact(text: string, secret: string): string {
  const clipped = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return secret ? clipped.split(secret).join('[redacted]') : clipped;
}

export async function testChannel(channel: ChannelRecord, agent: Agent, timeoutMs = TEST_TIMEOUT_MS): Promise<ChannelTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const headers: Record<string, string> = { accept: 'application/json', ...channelAuthHeaders(channel) };
  const failed = (status: number | null, error: string): ChannelTestResult => ({ ok: false, status, latencyMs: elapsed(), modelCount: null, models: [], missingModels: [], error });
  let response;
  try {
    response = await request(channel.baseUrl.replace(/\/+$/, '') + '/models', {
      method: 'GET',
      headers,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const name = (err as Error).name;
    return failed(null, name === 'TimeoutError' || /Timeout/.test(code ?? '') ? `no answer within ${timeoutMs} ms` : `could not connect${code ? ` (${code})` : ''}: ${redact((err as Error).message, channel.apiKey)}`);
  }
  let text: string;
  try {
    text = (await response.body.text()).slice(0, MAX_BODY_CHARS);
  } catch (err) {
    return failed(response.statusCode, `the answer was cut off: ${redact((err as Error).message, channel.apiKey)}`);
  }
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.statusCode >= 400) {
    const message = parsed?.error?.message ?? parsed?.message ?? text;
    return failed(response.statusCode, `upstream answered ${response.statusCode}: ${redact(typeof message === 'string' ? message : JSON.stringify(message), channel.apiKey) || 'no message'}`);
  }
  if (!parsed || !Array.isArray(parsed.data)) return failed(response.statusCode, 'the upstream answered, but not with an OpenAI model list ({"data": [...]})');
  const ids: string[] = parsed.data.map((m: any) => (typeof m?.id === 'string' ? m.id : null)).filter((id: string | null): id is string => id !== null);
  const listed = new Set(ids);
  const served = channel.models.map((m) => channel.options.aliases?.[m] ?? m);
  return {
    ok: true,
    status: response.statusCode,
    latencyMs: elapsed(),
    modelCount: parsed.data.length,
    models: ids.slice(0, 100),
    missingModels: ids.length > 0 ? served.filter((m) => m !== '*' && !listed.has(m)) : [],
    error: null,
  };
}
