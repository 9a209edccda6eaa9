// The client matrix for OpenAI's own SDK, the current major and v4 (still common in the wild),
// each through Chat Completions and through the Responses API (structured output through the
// current SDK's own parse helpers).
import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import { clientMatrix, statusOfError, type Answer, type ClientDriver, type Endpoint, type MatrixClient } from './matrix.ts';

type AnyOpenAI = new (options: { apiKey: string; baseURL: string; maxRetries: number }) => any;

function chatDriver(Client: AnyOpenAI, { baseURL, apiKey, model }: Endpoint, helpers: boolean): ClientDriver {
  const client = new Client({ apiKey, baseURL, maxRetries: 0 });
  const ask = async (messages: unknown[], extra: Record<string, unknown> = {}) => (await client.chat.completions.create({ model, messages, ...extra })).choices[0].message;
  return {
    async plain(prompt) {
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
      return { text: completion.choices[0].message.content, usage: { input: completion.usage?.prompt_tokens, output: completion.usage?.completion_tokens } };
    },
    async streamed(prompt) {
      const answer: Answer = { text: '', usage: {} };
      for await (const chunk of await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] })) {
        answer.text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) answer.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
      }
      return answer;
    },
    async toolRoundTrip(prompt, tool, result) {
      const tools = [{ type: 'function', function: tool }];
      const messages: any[] = [{ role: 'user', content: prompt }];
      const first = await ask(messages, { tools });
      const call = first.tool_calls[0];
      messages.push(first, { role: 'tool', tool_call_id: call.id, content: result });
      const second = await ask(messages, { tools });
      return { name: call.function.name, args: JSON.parse(call.function.arguments), text: second.content };
    },
    async streamedToolCall(prompt, tool) {
      const call = { name: '', arguments: '' };
      const stream = await client.chat.completions.create({ model, stream: true, tools: [{ type: 'function', function: tool }], messages: [{ role: 'user', content: prompt }] });
      for await (const chunk of stream) {
        for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
          call.name += delta.function?.name ?? '';
          call.arguments += delta.function?.arguments ?? '';
        }
      }
      return { name: call.name, args: JSON.parse(call.arguments) };
    },
    async structured(prompt, name, schema) {
      const request = { model, messages: [{ role: 'user', content: prompt }], response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } } };
      // The current SDK parses the answer itself; v4 users parse the text.
      if (helpers) return (await client.chat.completions.parse(request)).choices[0].message.parsed;
      return JSON.parse((await client.chat.completions.create(request)).choices[0].message.content);
    },
    async conversation(first, second) {
      const messages: any[] = [{ role: 'user', content: first }];
      const reply = await ask(messages);
      messages.push(reply, { role: 'user', content: second });
      return [reply.content, (await ask(messages)).content];
    },
  };
}

function responsesDriver(Client: AnyOpenAI, { baseURL, apiKey, model }: Endpoint, helpers: boolean): ClientDriver {
  const client = new Client({ apiKey, baseURL, maxRetries: 0 });
  const create = (input: unknown, extra: Record<string, unknown> = {}) => client.responses.create({ model, input, ...extra });
  return {
    async plain(prompt) {
      const response = await create(prompt);
      return { text: response.output_text, usage: { input: response.usage?.input_tokens, output: response.usage?.output_tokens } };
    },
    async streamed(prompt) {
      const answer: Answer = { text: '', usage: {} };
      for await (const event of await create(prompt, { stream: true })) {
        if (event.type === 'response.output_text.delta') answer.text += event.delta;
        if (event.type === 'response.completed') answer.usage = { input: event.response.usage?.input_tokens, output: event.response.usage?.output_tokens };
      }
      return answer;
    },
    async toolRoundTrip(prompt, tool, result) {
      const tools = [{ type: 'function', ...tool, strict: true }];
      const input: any[] = [{ role: 'user', content: prompt }];
      const first = await create(input, { tools });
      const call = first.output.find((item: any) => item.type === 'function_call');
      input.push(...first.output, { type: 'function_call_output', call_id: call.call_id, output: result });
      const second = await create(input, { tools });
      return { name: call.name, args: JSON.parse(call.arguments), text: second.output_text };
    },
    async streamedToolCall(prompt, tool) {
      let call: any;
      for await (const event of await create(prompt, { stream: true, tools: [{ type: 'function', ...tool, strict: true }] })) {
        if (event.type === 'response.output_item.done' && event.item.type === 'function_call') call = event.item;
      }
      return { name: call.name, args: JSON.parse(call.arguments) };
    },
    async structured(prompt, name, schema) {
      const request = { model, input: prompt, text: { format: { type: 'json_schema', name, schema, strict: true } } };
      if (helpers) return (await client.responses.parse(request)).output_parsed;
      return JSON.parse((await client.responses.create(request)).output_text);
    },
    async conversation(first, second) {
      const input: any[] = [{ role: 'user', content: first }];
      const reply = await create(input);
      input.push(...reply.output, { role: 'user', content: second });
      return [reply.output_text, (await create(input)).output_text];
    },
  };
}

const clients: MatrixClient[] = [
  { name: 'openai chat', connect: (e) => chatDriver(OpenAI as AnyOpenAI, e, true), statusOf: statusOfError },
  { name: 'openai responses', connect: (e) => responsesDriver(OpenAI as AnyOpenAI, e, true), statusOf: statusOfError },
  { name: 'openai-v4 chat', connect: (e) => chatDriver(OpenAIv4 as unknown as AnyOpenAI, e, false), statusOf: statusOfError },
  { name: 'openai-v4 responses', connect: (e) => responsesDriver(OpenAIv4 as unknown as AnyOpenAI, e, false), statusOf: statusOfError },
];

clientMatrix(clients);
