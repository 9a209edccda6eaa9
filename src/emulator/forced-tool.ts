// A forced tool choice in the emulator, honoured the way real models do: when a request names the
// tool to call (or requires some tool), the answer is a call to it with arguments that match its
// parameter schema. Chat `tool_choice`, Responses `tool_choice` and Anthropic `tool_choice` alike.
import type { ScriptedReply } from './script.ts';
import { sampleOf } from './structured-output.ts';

interface ToolSpec {
  name: string;
  schema: Record<string, unknown>;
}

/** The tools a request offers, with their parameter schemas, whatever the API. */
function toolsOf(body: any): ToolSpec[] {
  const out: ToolSpec[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    const name = tool?.function?.name ?? tool?.name;
    const schema = tool?.function?.parameters ?? tool?.parameters ?? tool?.input_schema ?? { type: 'object', properties: {} };
    if (typeof name === 'string') out.push({ name, schema });
  }
  return out;
}

/** The name of the tool the request forces, if it forces one. */
function forcedName(choice: any, tools: ToolSpec[]): string | undefined {
  if (choice === 'required' || choice?.type === 'any') return tools[0]?.name;
  if (typeof choice === 'object' && choice !== null) {
    const name = choice.function?.name ?? choice.name;
    if ((choice.type === 'function' || choice.type === 'tool') && typeof name === 'string') return name;
  }
  return undefined;
}

/** The reply a real model gives to a forced tool choice, when no script says otherwise. */
export function forcedToolReply(body: any): ScriptedReply | undefined {
  const tools = toolsOf(body);
  const name = forcedName(body.tool_choice, tools);
  const tool = tools.find((t) => t.name === name);
  if (!tool) return undefined;
  return { toolCalls: [{ name: tool.name, arguments: JSON.stringify(sampleOf(tool.schema)) }] };
}
