// The client matrix: third-party client libraries driven through the relay against each upstream
// kind (the emulator as a Chat-only, a Responses and an Anthropic upstream), through /v1 and
// /compact/v1. Each client file supplies one driver per library; this table runs the same cases
// on all of them and names every test client × route × upstream × case.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

export type UpstreamKind = 'openai-chat' | 'openai-responses' | 'anthropic';
export type Route = '/v1' | '/compact/v1';
export type CaseName = 'plain' | 'streamed' | 'tool round trip' | 'streamed tool call' | 'structured output' | 'multi-turn' | 'bad key' | 'upstream refusal';

export const UPSTREAMS: UpstreamKind[] = ['openai-chat', 'openai-responses', 'anthropic'];
export const ROUTES: Route[] = ['/v1', '/compact/v1'];
export const CASES: CaseName[] = ['plain', 'streamed', 'tool round trip', 'streamed tool call', 'structured output', 'multi-turn', 'bad key', 'upstream refusal'];

/** One model per upstream kind, named like real ones so clients pick their native features. */
export const MODELS: Record<UpstreamKind, string> = { 'openai-chat': 'gpt-4o-mini', 'openai-responses': 'gpt-4.1', anthropic: 'claude-sonnet-4-5' };
const EMULATOR_MODE = { 'openai-chat': 'chat-only', 'openai-responses': 'responses-only', anthropic: 'anthropic' } as const;

export interface Endpoint {
  /** The relay's base URL for this route, e.g. `http://127.0.0.1:1234/compact/v1`. */
  baseURL: string;
  apiKey: string;
  model: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

/** An answer's text and the token usage the library reports for it. */
export interface Answer {
  text: string;
  usage: { input?: number; output?: number };
}

/** What every client library must do, in its own idiom. */
export interface ClientDriver {
  plain(prompt: string): Promise<Answer>;
  streamed(prompt: string): Promise<Answer>;
  /** Offers `tool`, answers its call with `result`, and returns the call and the final answer. */
  toolRoundTrip(prompt: string, tool: ToolSpec, result: string): Promise<{ name: string; args: unknown; text: string }>;
  /** Offers `tool` on a streamed request and returns the call assembled from the stream. */
  streamedToolCall(prompt: string, tool: ToolSpec): Promise<{ name: string; args: unknown }>;
  /** Asks for an object matching `schema` with the library's structured-output feature; returns the parsed object. */
  structured(prompt: string, name: string, schema: Record<string, unknown>): Promise<unknown>;
  /** Two turns: the second sent with the history as the library keeps it after the first. */
  conversation(first: string, second: string): Promise<[string, string]>;
}

export interface MatrixClient {
  name: string;
  connect(endpoint: Endpoint): ClientDriver;
  /** The HTTP status of a failed call, as the library exposes it. */
  statusOf(err: unknown): number | undefined;
  /** The output tokens the library reports for a stream whose upstream counted `count`, where it counts its own way. */
  streamedOutputTokens?(upstream: UpstreamKind, count: number): number;
  /** True where the client can only see the relay's own estimate of the input tokens on a stream (not the upstream's count). */
  streamedInputIsEstimate?(upstream: UpstreamKind): boolean;
  /** Cases known to fail, with the reason (marked `todo`). */
  todo?(route: Route, upstream: UpstreamKind, name: CaseName): string | undefined;
}

/** The status an error carries, wherever a library keeps it. */
export function statusOfError(err: unknown): number | undefined {
  const e = err as any;
  for (const candidate of [e?.status, e?.statusCode, e?.response?.status, e?.cause?.status, e?.lastError?.statusCode, e?.errors?.at?.(-1)?.statusCode]) {
    if (typeof candidate === 'number') return candidate;
  }
  return undefined;
}

const WEATHER: ToolSpec = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'], additionalProperties: false },
};

const CITY_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' } },
  required: ['city', 'population'],
  additionalProperties: false,
};

interface Rig {
  relay: TestRelay;
  upstreams: Record<UpstreamKind, UpstreamEmulator>;
}

const sentText = (upstream: UpstreamEmulator) => JSON.stringify(upstream.requests.at(-1)?.body ?? null);

type CaseRun = (driver: ClientDriver, upstream: UpstreamEmulator, context: { bad: () => ClientDriver; client: MatrixClient; kind: UpstreamKind }) => Promise<void>;

/** An earlier assistant turn sent as a reference to the item the upstream stored (Responses only). */
const referencesStoredItem = (upstream: UpstreamEmulator) => (upstream.requests.at(-1)?.body.input ?? []).some?.((item: any) => item?.type === 'item_reference');

const RUNS: Record<CaseName, CaseRun> = {
  async plain(driver, upstream) {
    upstream.script([{ text: 'Hello from the matrix.', usage: { input: 42, output: 7 } }]);
    const answer = await driver.plain('Say hello.');
    assert.equal(answer.text, 'Hello from the matrix.');
    assert.deepEqual(answer.usage, { input: 42, output: 7 }, 'the upstream\'s token counts reach the client');
    assert.match(sentText(upstream), /Say hello\./);
  },
  async streamed(driver, upstream, { client, kind }) {
    upstream.script([{ text: 'A streamed hello, in pieces.', usage: { input: 42, output: 7 } }]);
    const answer = await driver.streamed('Stream a hello.');
    assert.equal(answer.text, 'A streamed hello, in pieces.');
    if (client.streamedInputIsEstimate?.(kind)) assert.ok((answer.usage.input ?? 0) > 0, `the relay's own input count reaches the client, not 0 (got ${answer.usage.input})`);
    else assert.equal(answer.usage.input, 42, 'the upstream\'s input token count reaches the client');
    assert.equal(answer.usage.output, client.streamedOutputTokens?.(kind, 7) ?? 7, 'the upstream\'s output token count reaches the client');
    assert.equal(upstream.requests.at(-1)?.body.stream, true, 'the upstream was asked for a stream');
  },
  async 'tool round trip'(driver, upstream) {
    upstream.script([{ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}', callId: 'call_matrix_1' }] }, { text: 'It is 18 degrees in Paris.' }]);
    const out = await driver.toolRoundTrip('What is the weather in Paris?', WEATHER, '18 degrees and sunny');
    assert.equal(out.name, 'get_weather');
    assert.deepEqual(out.args, { city: 'Paris' });
    assert.equal(out.text, 'It is 18 degrees in Paris.');
    assert.equal(upstream.requests.length, 2);
    assert.match(sentText(upstream), /18 degrees and sunny/, 'the tool result reached the upstream');
  },
  async 'streamed tool call'(driver, upstream) {
    upstream.script([{ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Reykjavik"}', callId: 'call_matrix_2' }] }]);
    assert.deepEqual(await driver.streamedToolCall('What is the weather in Reykjavik?', WEATHER), { name: 'get_weather', args: { city: 'Reykjavik' } });
    assert.equal(upstream.requests.at(-1)?.body.stream, true, 'the upstream was asked for a stream');
  },
  async 'structured output'(driver, upstream, { kind }) {
    const value = await driver.structured('Describe Lisbon.', 'city_facts', CITY_SCHEMA);
    assert.deepEqual(value, { city: 'sample', population: 1 }, 'the emulated model answered with JSON matching the schema');
    const body = upstream.requests.at(-1)?.body;
    const parameter = { 'openai-chat': body?.response_format?.json_schema, 'openai-responses': body?.text?.format, anthropic: body?.output_config?.format ?? body?.output_format }[kind];
    assert.deepEqual(parameter?.schema?.properties, CITY_SCHEMA.properties, 'the schema reached the upstream in its own structured-output parameter');
  },
  async 'multi-turn'(driver, upstream, { kind }) {
    upstream.script([{ text: 'Nice to meet you, Ada.' }, { text: 'Your name is Ada.' }]);
    assert.deepEqual(await driver.conversation('My name is Ada.', 'What is my name?'), ['Nice to meet you, Ada.', 'Your name is Ada.']);
    const sent = sentText(upstream);
    for (const turn of ['My name is Ada.', 'What is my name?']) assert.ok(sent.includes(turn), `the upstream saw "${turn}"`);
    // A Responses upstream keeps the items it answered with, so a reference to one is as good as its text.
    const stored = kind === 'openai-responses' && referencesStoredItem(upstream);
    assert.ok(stored || sent.includes('Nice to meet you, Ada.'), 'the upstream saw the earlier answer');
  },
  async 'bad key'(_driver, upstream, { bad, client }) {
    const err = await bad().plain('Hello?').then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'a bad key fails');
    assert.equal(client.statusOf(err), 401, `401 expected, got ${String(err)}`);
    assert.match(String((err as Error).message), /Invalid API key/, 'the relay\'s own message reaches the user');
    assert.equal(upstream.requests.length, 0, 'no upstream was called');
  },
  async 'upstream refusal'(driver, upstream, { client }) {
    upstream.script([{ status: 400, error: { message: 'prompt is too long: 250000 tokens > 200000 maximum', code: 'context_length_exceeded' } }]);
    const err = await driver.plain('A very long prompt.').then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'the upstream\'s 400 fails the call');
    assert.equal(client.statusOf(err), 400, `400 expected, got ${String(err)}`);
    assert.match(String((err as Error).message), /prompt is too long/, 'the upstream\'s message reaches the user');
  },
};

async function startRig(): Promise<Rig> {
  const entries = await Promise.all(UPSTREAMS.map(async (kind) => [kind, await startUpstreamEmulator({ mode: EMULATOR_MODE[kind], models: [MODELS[kind]] })] as const));
  const upstreams = Object.fromEntries(entries) as Record<UpstreamKind, UpstreamEmulator>;
  const relay = await startTestRelay({ channels: UPSTREAMS.map((kind) => ({ name: kind, type: kind, baseUrl: upstreams[kind].url, models: [MODELS[kind]] })) });
  return { relay, upstreams };
}

/** Registers the whole matrix for these clients: one suite per client, one test per route × upstream × case. */
export function clientMatrix(clients: MatrixClient[]): void {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  beforeEach(() => UPSTREAMS.forEach((kind) => rig.upstreams[kind].reset()));
  after(async () => {
    await rig.relay.close();
    await Promise.all(UPSTREAMS.map((kind) => rig.upstreams[kind].close()));
  });
  for (const client of clients) {
    describe(client.name, () => {
      for (const route of ROUTES) {
        for (const upstream of UPSTREAMS) {
          for (const name of CASES) {
            const todo = client.todo?.(route, upstream, name);
            test(`${client.name} × ${route} × ${upstream} × ${name}`, todo ? { todo } : {}, async () => {
              const endpoint = (apiKey: string): Endpoint => ({ baseURL: `${rig.relay.url}${route}`, apiKey, model: MODELS[upstream] });
              const bad = () => client.connect(endpoint('sk-not-a-valid-key'));
              await RUNS[name](client.connect(endpoint(rig.relay.key)), rig.upstreams[upstream], { bad, client, kind: upstream });
            });
          }
        }
      }
    });
  }
}
