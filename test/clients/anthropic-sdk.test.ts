// The client matrix for Anthropic's own SDK (`@anthropic-ai/sdk`): Messages API calls, streams
// assembled by its MessageStream, tool_use answered by tool_result, structured output through
// `output_config.format`.
import Anthropic from '@anthropic-ai/sdk';
import { clientMatrix, statusOfError, type Answer, type ClientDriver, type Endpoint, type MatrixClient } from './matrix.ts';

const textOf = (message: Anthropic.Message) => message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
const answerOf = (message: Anthropic.Message): Answer => ({
  text: textOf(message),
  usage: { input: message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0), output: message.usage.output_tokens },
});

function anthropicDriver({ baseURL, apiKey, model }: Endpoint): ClientDriver {
  // The SDK adds /v1/messages to its base URL itself.
  const client = new Anthropic({ apiKey, baseURL: baseURL.replace(/\/v1$/, ''), maxRetries: 0 });
  const create = (messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => client.messages.create({ model, max_tokens: 1024, messages, ...extra });
  const toolOf = (tool: { name: string; description: string; parameters: Record<string, unknown> }): Anthropic.Tool => ({ name: tool.name, description: tool.description, input_schema: tool.parameters as Anthropic.Tool.InputSchema });
  return {
    plain: async (prompt) => answerOf(await create([{ role: 'user', content: prompt }])),
    streamed: async (prompt) => answerOf(await client.messages.stream({ model, max_tokens: 1024, messages: [{ role: 'user', content: prompt }] }).finalMessage()),
    async toolRoundTrip(prompt, tool, result) {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt }];
      const first = await create(messages, { tools: [toolOf(tool)] });
      const call = first.content.find((block) => block.type === 'tool_use')!;
      messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: result }] });
      const second = await create(messages, { tools: [toolOf(tool)] });
      return { name: call.name, args: call.input, text: textOf(second) };
    },
    async streamedToolCall(prompt, tool) {
      const message = await client.messages.stream({ model, max_tokens: 1024, tools: [toolOf(tool)], messages: [{ role: 'user', content: prompt }] }).finalMessage();
      const call = message.content.find((block) => block.type === 'tool_use')!;
      return { name: call.name, args: call.input };
    },
    async structured(prompt, _name, schema) {
      const message = await create([{ role: 'user', content: prompt }], { output_config: { format: { type: 'json_schema', schema } } });
      return JSON.parse(textOf(message));
    },
    async conversation(first, second) {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: first }];
      const reply = await create(messages);
      messages.push({ role: 'assistant', content: reply.content }, { role: 'user', content: second });
      return [textOf(reply), textOf(await create(messages))];
    },
  };
}

const clients: MatrixClient[] = [{ name: 'anthropic-sdk', connect: anthropicDriver, statusOf: statusOfError }];

clientMatrix(clients);
