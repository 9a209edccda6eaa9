// The client matrix for LangChain JS: ChatOpenAI over Chat Completions and over the Responses API
// (`useResponsesApi`), and ChatAnthropic; tool calls with bindTools, structured output with
// withStructuredOutput, history kept as LangChain messages.
import { ChatOpenAI } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { HumanMessage, ToolMessage, type AIMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { clientMatrix, statusOfError, type Answer, type ClientDriver, type Endpoint, type MatrixClient } from './matrix.ts';

const answerOf = (message: AIMessage | AIMessageChunk): Answer => ({ text: message.text, usage: { input: message.usage_metadata?.input_tokens, output: message.usage_metadata?.output_tokens } });

function langChainDriver(model: BaseChatModel): ClientDriver {
  return {
    plain: async (prompt) => answerOf(await model.invoke(prompt)),
    async streamed(prompt) {
      let whole: AIMessageChunk | undefined;
      for await (const chunk of await model.stream(prompt)) whole = whole ? whole.concat(chunk) : chunk;
      return answerOf(whole!);
    },
    async toolRoundTrip(prompt, tool, result) {
      const withTools = model.bindTools!([{ type: 'function', function: tool }]);
      const messages: BaseMessage[] = [new HumanMessage(prompt)];
      const first = await withTools.invoke(messages);
      const call = first.tool_calls![0];
      messages.push(first, new ToolMessage({ content: result, tool_call_id: call.id! }));
      const second = await withTools.invoke(messages);
      return { name: call.name, args: call.args, text: second.text };
    },
    async streamedToolCall(prompt, tool) {
      let whole: AIMessageChunk | undefined;
      for await (const chunk of await model.bindTools!([{ type: 'function', function: tool }]).stream(prompt)) whole = whole ? whole.concat(chunk) : chunk;
      const [call] = whole!.tool_calls!;
      return { name: call.name, args: call.args };
    },
    // The native structured-output parameter (response_format, text.format, output_config.format), not a forced tool.
    structured: (prompt, name, schema) => model.withStructuredOutput(schema, { name, method: 'jsonSchema' }).invoke(prompt),
    async conversation(first, second) {
      const messages: BaseMessage[] = [new HumanMessage(first)];
      const reply = await model.invoke(messages);
      messages.push(reply, new HumanMessage(second));
      return [reply.text, (await model.invoke(messages)).text];
    },
  };
}

const chatOpenAI = ({ baseURL, apiKey, model }: Endpoint, useResponsesApi: boolean) =>
  new ChatOpenAI({ model, apiKey, maxRetries: 0, useResponsesApi, configuration: { baseURL } });

const clients: MatrixClient[] = [
  { name: 'langchain openai chat', connect: (e) => langChainDriver(chatOpenAI(e, false)), statusOf: statusOfError },
  { name: 'langchain openai responses', connect: (e) => langChainDriver(chatOpenAI(e, true)), statusOf: statusOfError },
  {
    name: 'langchain anthropic',
    // The Anthropic SDK underneath adds /v1/messages to its base URL itself.
    connect: (e) => langChainDriver(new ChatAnthropic({ model: e.model, apiKey: e.apiKey, maxRetries: 0, anthropicApiUrl: e.baseURL.replace(/\/v1$/, '') })),
    statusOf: statusOfError,
    // LangChain reads the input count only from `message_start`. A translated stream starts before the
    // upstream has said how many tokens it read, so there the relay's own o200k count is what LangChain records.
    streamedInputIsEstimate: (upstream) => upstream !== 'anthropic',
    // Anthropic's message_start already carries output_tokens: 1, which LangChain adds to message_delta's total.
    streamedOutputTokens: (upstream, count) => (upstream === 'anthropic' ? count + 1 : count),
  },
];

clientMatrix(clients);
