// Anthropic `tools` and `tool_choice` ⇄ neutral tool definitions and tool choice (client tools
// are decoded with the conversation: adapters/anthropic/conversation.ts). Anthropic says "parallel tool
// use" inside tool_choice; OpenAI's `parallel_tool_calls: false` becomes `disable_parallel_tool_use`.
import type { DropReport } from '../../conversation/drop-report.ts';
import type { ToolDefinition } from '../../conversation/model.ts';
import { CUSTOM_TOOL_INPUT_SCHEMA, EMPTY_PARAMETERS, type ToolChoice } from '../../conversation/request.ts';

/** Tool definitions → Anthropic `tools`; hosted tools no Anthropic model can run are counted in `report`. */
export function encodeAnthropicTools(tools: ToolDefinition[], report?: DropReport): any[] {
  const out: any[] = [];
  for (const tool of tools) {
    if (tool.kind !== 'function' && tool.kind !== 'custom') {
      if (report) report[`tool:${tool.kind}`] = (report[`tool:${tool.kind}`] ?? 0) + 1;
      continue;
    }
    const schema = tool.kind === 'custom' ? CUSTOM_TOOL_INPUT_SCHEMA : tool.parameters ?? EMPTY_PARAMETERS;
    out.push({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: schema });
  }
  return out;
}

/** Anthropic `tool_choice` → the neutral choice. */
export function decodeAnthropicToolChoice(choice: any): ToolChoice | undefined {
  if (choice?.type === 'auto') return { mode: 'auto' };
  if (choice?.type === 'any') return { mode: 'required' };
  if (choice?.type === 'none') return { mode: 'none' };
  if (choice?.type === 'tool' && typeof choice.name === 'string' && choice.name) return { mode: 'tool', name: choice.name };
  return undefined;
}

const ANTHROPIC_MODE = { auto: 'auto', required: 'any', none: 'none' } as const;

/** The neutral choice → Anthropic `tool_choice`; `parallel` false disables parallel tool use. */
export function encodeAnthropicToolChoice(choice: ToolChoice | undefined, parallel: unknown): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  if (choice) out = choice.mode === 'tool' ? { type: 'tool', name: choice.name } : { type: ANTHROPIC_MODE[choice.mode] };
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}
