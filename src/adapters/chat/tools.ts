// Chat Completions `tools` and `tool_choice` ⇄ neutral tool definitions and tool choice. Custom
// (free-form) tools of other formats are offered to a chat model as functions taking `{input}`.
import type { DropReport } from '../../conversation/drop-report.ts';
import type { ToolDefinition } from '../../conversation/model.ts';
import { CUSTOM_TOOL_INPUT_SCHEMA, EMPTY_PARAMETERS, type ToolChoice } from '../../conversation/request.ts';

/** Chat `tools` (`{type:"function", function:{name, description, parameters, strict}}`) → tool definitions. */
export function decodeChatTools(tools: unknown): ToolDefinition[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool: any): ToolDefinition => {
    const fn = tool?.type === 'function' || tool?.function ? tool.function ?? {} : undefined;
    if (fn) {
      return {
        kind: 'function',
        name: String(fn.name ?? ''),
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
        ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
        raw: tool,
        rawFormat: 'chat',
      };
    }
    const kind = tool?.type === 'custom' ? 'custom' : 'other';
    return { kind, name: String(tool?.custom?.name ?? tool?.name ?? tool?.type ?? ''), raw: tool, rawFormat: 'chat' };
  });
}

/**
 * Tool definitions → chat `tools`. A definition decoded from chat is emitted verbatim; custom tools
 * become functions taking `{input}` (their calls go back to the client as custom tool calls);
 * tools chat cannot declare (hosted web search, local shell…) are dropped and counted in `report`.
 */
export function encodeChatTools(tools: ToolDefinition[], report?: DropReport): any[] {
  const out: any[] = [];
  for (const tool of tools) {
    if (tool.raw !== undefined && tool.rawFormat === 'chat') out.push(tool.raw);
    else if (tool.kind === 'function') {
      const fn: Record<string, unknown> = { name: tool.name, parameters: tool.parameters ?? EMPTY_PARAMETERS };
      if (tool.description) fn.description = tool.description;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      out.push({ type: 'function', function: fn });
    } else if (tool.kind === 'custom') {
      out.push({ type: 'function', function: { name: tool.name, description: tool.description ?? '', parameters: CUSTOM_TOOL_INPUT_SCHEMA } });
    } else if (report) report[`tool:${tool.kind}`] = (report[`tool:${tool.kind}`] ?? 0) + 1;
  }
  return out;
}

/** Chat `tool_choice` → the neutral choice (undefined for none given or one chat does not define). */
export function decodeChatToolChoice(choice: any): ToolChoice | undefined {
  if (choice === 'auto' || choice === 'required' || choice === 'none') return { mode: choice };
  const name = choice?.function?.name;
  return typeof name === 'string' && name ? { mode: 'tool', name } : undefined;
}

export function encodeChatToolChoice(choice: ToolChoice): unknown {
  return choice.mode === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.mode;
}
