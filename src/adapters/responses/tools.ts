// Responses `tools` and `tool_choice` ⇄ neutral tool definitions and tool choice. A custom tool's
// input grammar travels in its description, for formats that only know JSON-schema tools.
import type { DropReport } from '../../conversation/drop-report.ts';
import type { ToolDefinition, ToolKind } from '../../conversation/model.ts';
import { EMPTY_PARAMETERS, type ToolChoice } from '../../conversation/request.ts';

const TOOL_KIND_OF: Record<string, ToolKind> = { function: 'function', custom: 'custom', local_shell: 'local_shell', web_search: 'web_search', web_search_preview: 'web_search' };

/** A custom tool's description, with its input grammar appended when it has one. */
function customDescription(tool: any): string {
  const format = tool.format?.type === 'grammar' ? ` Input format (${tool.format.syntax ?? 'grammar'}):\n${tool.format.definition ?? ''}` : '';
  return `${tool.description ?? ''}${format}`.trim();
}

/** Responses `tools` (flat `{type:"function", name, parameters}`, custom, hosted tools) → tool definitions. */
export function decodeResponsesTools(tools: unknown): ToolDefinition[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool: any): ToolDefinition => {
    const named = typeof tool?.name === 'string';
    const kind = TOOL_KIND_OF[String(tool?.type)] ?? 'other';
    const description = kind === 'custom' ? customDescription(tool) : tool?.description;
    return {
      // A function or custom tool without a name cannot be offered to any model.
      kind: (kind === 'function' || kind === 'custom') && !named ? 'other' : kind,
      name: String(tool?.name ?? tool?.type ?? ''),
      ...(typeof description === 'string' ? { description } : {}),
      ...(tool?.parameters !== undefined ? { parameters: tool.parameters } : {}),
      ...(typeof tool?.strict === 'boolean' ? { strict: tool.strict } : {}),
      raw: tool,
      rawFormat: 'responses',
    };
  });
}

/**
 * Tool definitions → Responses `tools`: definitions decoded from Responses verbatim, functions
 * rebuilt; others (custom tools of chat clients, whose calls a chat answer could not return as
 * such) are dropped and counted in `report`.
 */
export function encodeResponsesTools(tools: ToolDefinition[], report?: DropReport): any[] {
  const out: any[] = [];
  for (const tool of tools) {
    if (tool.raw !== undefined && tool.rawFormat === 'responses') out.push(tool.raw);
    else if (tool.kind === 'function') {
      const fn: Record<string, unknown> = { type: 'function', name: tool.name, parameters: tool.parameters ?? EMPTY_PARAMETERS };
      if (tool.description) fn.description = tool.description;
      fn.strict = tool.strict ?? false;
      out.push(fn);
    } else if (report) report[`tool:${tool.kind}`] = (report[`tool:${tool.kind}`] ?? 0) + 1;
  }
  return out;
}

/** Responses `tool_choice` → the neutral choice (a named function or custom tool, or a mode). */
export function decodeResponsesToolChoice(choice: any): ToolChoice | undefined {
  if (choice === 'auto' || choice === 'required' || choice === 'none') return { mode: choice };
  if ((choice?.type === 'function' || choice?.type === 'custom') && typeof choice.name === 'string' && choice.name) return { mode: 'tool', name: choice.name };
  return undefined;
}

export function encodeResponsesToolChoice(choice: ToolChoice): unknown {
  return choice.mode === 'tool' ? { type: 'function', name: choice.name } : choice.mode;
}
