// The fuzzer: many generated requests (paths, methods, headers and bodies shaped like real ones
// and broken in every way) against a relay whose upstream is healthy, so any 5xx is the relay's
// own. Reports statuses, relay-made 5xx, rejections not in the OpenAI shape, and a few examples.
import fc from 'fast-check';
import { call, isOpenAIError, pool } from './http.ts';
import type { RelayProcess } from './relay-process.ts';

export interface FuzzReport {
  requests: number;
  statuses: Record<string, number>;
  relayMade5xx: number;
  notOpenAIShaped: number;
  examples: string[];
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
const part = fc.oneof(fc.record({ type: fc.constantFrom('text', 'input_text', 'image_url', 'tool_result', 'nope'), text: fc.oneof(fc.string(), anyJson) }, { requiredKeys: [] }), anyJson);
const message = fc.record({
  role: fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer'), anyJson),
  content: fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }), anyJson),
  tool_call_id: fc.oneof(fc.string(), anyJson),
  tool_calls: fc.oneof(fc.array(fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.oneof(fc.string(), anyJson) }, { requiredKeys: [] }) }, { requiredKeys: [] }), { maxLength: 2 }), anyJson),
}, { requiredKeys: [] });
const item = fc.oneof(message, fc.record({
  type: fc.constantFrom('message', 'function_call', 'function_call_output', 'reasoning', 'compaction', 'item_reference', 'custom_tool_call', 'x'),
  call_id: fc.oneof(fc.string(), anyJson), id: fc.oneof(fc.string(), anyJson), output: anyJson, arguments: fc.oneof(fc.string(), anyJson),
  encrypted_content: fc.oneof(fc.string(), fc.constant('crseal1.AAAA.BBBB'), anyJson),
}, { requiredKeys: ['type'] }));
const tool = fc.oneof(fc.record({ type: fc.constantFrom('function', 'custom', 'web_search'), function: anyJson, name: fc.oneof(fc.string(), anyJson), parameters: anyJson }, { requiredKeys: [] }), anyJson);
const body = fc.record({
  model: fc.oneof(fc.constantFrom('gpt-4o-mini', 'gpt-5.5', 'claude-x', ''), anyJson),
  messages: fc.oneof(fc.array(message, { maxLength: 4 }), anyJson),
  input: fc.oneof(fc.array(item, { maxLength: 4 }), fc.string(), anyJson),
  system: fc.oneof(fc.string(), fc.array(part, { maxLength: 2 }), anyJson),
  tools: fc.oneof(fc.array(tool, { maxLength: 2 }), anyJson),
  tool_choice: anyJson,
  stream: fc.oneof(fc.boolean(), anyJson),
  max_tokens: fc.oneof(fc.integer({ min: -5, max: 64 }), anyJson),
  response_format: anyJson,
  prompt_cache_key: fc.oneof(fc.string(), anyJson),
  previous_response_id: fc.oneof(fc.string(), anyJson),
}, { requiredKeys: [] });
const raw = fc.oneof(
  { weight: 6, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '{"model":', 'null', '[]', '{"model":"gpt-4o-mini","model":"gpt-5.5","messages":[]}', '\u0000\u0001') },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/v1/chat/completions', '/v1/responses', '/v1/responses/compact', '/v1/messages', '/v1/messages/count_tokens', '/compact/v1/chat/completions', '/compact/v1/responses', '/compact/v1/messages', '/v1/models', '/v1/models/gpt-4o-mini', '/healthz', '/metrics', '/admin/api/keys', '/console/') },
  { weight: 1, arbitrary: fc.webPath().map((p) => p || '/') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `/v1/${encodeURIComponent(s)}`) },
);
const headerValue = fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', ''), fc.string({ maxLength: 64 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')));
const auth = fc.constantFrom('bearer', 'x-api-key', 'none', 'wrong', 'both', 'malformed');

export async function fuzzRelay(relay: RelayProcess, key: string, count: number, seed = 42): Promise<FuzzReport> {
  const report: FuzzReport = { requests: 0, statuses: {}, relayMade5xx: 0, notOpenAIShaped: 0, examples: [] };
  const cases = fc.tuple(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), raw, auth, headerValue, fc.option(fc.string({ maxLength: 32 }), { nil: undefined }));
  const batch = 1_000;
  for (let done = 0; done < count; done += batch) {
    const samples = fc.sample(cases, { numRuns: Math.min(batch, count - done), seed: seed + done });
    await pool(samples.length, 32, async (i) => {
      const [p, method, payload, who, contentType, extraHeader] = samples[i];
      const headers: Record<string, string> = { 'content-type': contentType };
      if (who === 'bearer' || who === 'both') headers.authorization = `Bearer ${key}`;
      if (who === 'x-api-key' || who === 'both') headers['x-api-key'] = key;
      if (who === 'wrong') headers.authorization = 'Bearer sk-cr-wrong';
      if (who === 'malformed') headers.authorization = 'Basic Zm9vOmJhcg==';
      if (extraHeader !== undefined) headers['x-fuzz'] = extraHeader.replace(/[^\x20-\x7e]/g, '');
      const result = await call(relay.url + p, { method, headers, body: method === 'GET' ? undefined : payload, timeoutMs: 15_000 });
      report.requests++;
      report.statuses[String(result.status)] = (report.statuses[String(result.status)] ?? 0) + 1;
      const example = `${method} ${p.slice(0, 60)} ${payload.slice(0, 120)} → ${result.status} ${result.text.slice(0, 160)}`;
      if (result.status >= 500 || result.status === 0) {
        report.relayMade5xx++;
        if (report.examples.length < 8) report.examples.push(example);
      } else if (result.status >= 400 && !p.startsWith('/console') && !isOpenAIError(result.json) && result.json?.type !== 'error') {
        report.notOpenAIShaped++;
        if (report.examples.length < 8) report.examples.push(example);
      }
    });
  }
  return report;
}
