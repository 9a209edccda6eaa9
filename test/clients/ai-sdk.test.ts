// The client matrix for the Vercel AI SDK (`ai`): its OpenAI provider over the Responses API and
// over Chat Completions, and its Anthropic provider (Messages API). Structured output goes through
// each provider's native parameter (the Anthropic provider would fall back to a forced "json" tool
// for model names it does not know, which the tool round trip already covers).
import { generateText, jsonSchema, Output, stepCountIs, streamText, tool, type LanguageModel, type ModelMessage } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { clientMatrix, statusOfError, type ClientDriver, type Endpoint, type MatrixClient } from './matrix.ts';

/** Provider options that make every provider use its native structured-output parameter. */
const NATIVE_STRUCTURED_OUTPUT = { anthropic: { structuredOutputMode: 'outputFormat' as const } };

function aiSdkDriver(model: LanguageModel): ClientDriver {
  const common = { model, maxRetries: 0 };
  return {
    async plain(prompt) {
      const result = await generateText({ ...common, prompt });
      return { text: result.text, usage: { input: result.usage.inputTokens, output: result.usage.outputTokens } };
    },
    async streamed(prompt) {
      let failure: unknown;
      const result = streamText({ ...common, prompt, onError: ({ error }) => { failure = error; } });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      if (failure) throw failure;
      const usage = await result.usage;
      return { text, usage: { input: usage.inputTokens, output: usage.outputTokens } };
    },
    async toolRoundTrip(prompt, spec, output) {
      const tools = { [spec.name]: tool({ description: spec.description, inputSchema: jsonSchema(spec.parameters), execute: async () => output }) };
      const result = await generateText({ ...common, prompt, tools, stopWhen: stepCountIs(2) });
      const call = result.steps[0].toolCalls[0];
      return { name: call.toolName, args: call.input, text: result.text };
    },
    async streamedToolCall(prompt, spec) {
      const result = streamText({ ...common, prompt, tools: { [spec.name]: tool({ description: spec.description, inputSchema: jsonSchema(spec.parameters) }) } });
      const [call] = await result.toolCalls;
      return { name: call.toolName, args: call.input };
    },
    async structured(prompt, name, schema) {
      const result = await generateText({ ...common, prompt, output: Output.object({ schema: jsonSchema(schema), name }), providerOptions: NATIVE_STRUCTURED_OUTPUT });
      return result.output;
    },
    async conversation(first, second) {
      const messages: ModelMessage[] = [{ role: 'user', content: first }];
      const reply = await generateText({ ...common, messages });
      messages.push(...reply.response.messages, { role: 'user', content: second });
      return [reply.text, (await generateText({ ...common, messages })).text];
    },
  };
}

const openai = ({ baseURL, apiKey }: Endpoint) => createOpenAI({ baseURL, apiKey });

const clients: MatrixClient[] = [
  // Its multi-turn case sends the earlier assistant turn as an item_reference: the relay resolves it on every upstream.
  { name: 'ai-sdk openai responses', connect: (e) => aiSdkDriver(openai(e).responses(e.model)), statusOf: statusOfError },
  { name: 'ai-sdk openai chat', connect: (e) => aiSdkDriver(openai(e).chat(e.model)), statusOf: statusOfError },
  { name: 'ai-sdk anthropic', connect: (e) => aiSdkDriver(createAnthropic({ baseURL: e.baseURL, apiKey: e.apiKey })(e.model)), statusOf: statusOfError },
];

clientMatrix(clients);
