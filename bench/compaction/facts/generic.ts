// Traces of sessions in any format the relay's loaders read (Codex rollouts, Gemini contents, Chat
// or Responses dumps, SWE-agent and OpenHands files under other names) when this benchmark has no
// reader of that raw format: read from the loaded conversation, still without the compaction
// engine. Runs are the tool calls that carry a shell command (or a text-protocol action answered
// by an observation); writes are editor calls naming a path and what shell commands write.
import type { Conversation, Item } from '../../../src/conversation/model.ts';
import { messageText, toolOutputText } from '../../../src/conversation/model.ts';
import { markTextProtocol, textActionOf } from '../../../src/conversation/text-protocol.ts';
import { parseArgs, type Step, type Trace } from './trace.ts';
import { exitCodeOf, runFailed, runWrites } from './shell.ts';

/** Tool names that write the file their arguments name (editors of Claude Code, OpenHands, Cline, Gemini CLI and alike). */
const WRITING_TOOL = /^(write|edit|multiedit|create|write_file|write_to_file|replace|replace_in_file|apply_diff|edit_file|str_replace_based_edit_tool|insert)$/i;
/** `str_replace_editor`-style tools write with these commands only. */
const WRITING_COMMAND = /^(create|str_replace|insert|undo_edit|write)$/;
const REJECTED = /^(error|failed|no replacement was performed)/i;

/** The command line a call runs; Codex's `["bash", "-lc", "…"]` is the script it wraps. */
const commandOf = (args: Record<string, any>): string | undefined => {
  const value = args.command ?? args.cmd;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  const words = value.map(String);
  return words.length === 3 && /^(ba|z)?sh$/.test(words[0].split('/').pop() ?? '') && /^-l?c$/.test(words[1]) ? words[2] : words.join(' ');
};
const pathOf = (args: Record<string, any>): string | undefined => [args.path, args.file_path, args.filename, args.file, args.absolute_path].find((p) => typeof p === 'string' && p.length > 0);

/** Files a Codex `apply_patch` envelope adds, updates or deletes. */
const patchedFiles = (patch: string) => [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => m[1].trim());

function callSteps(name: string, args: Record<string, any>, input: string, output: string, isError: boolean): Step[] {
  const applied = !isError && !REJECTED.test(output.trimStart());
  if (name === 'apply_patch' || /^\*\*\* Begin Patch/m.test(input)) return patchedFiles(input).map((path) => ({ kind: 'write', path, applied }));
  const path = pathOf(args);
  const command = commandOf(args);
  const editorCommand = typeof args.command === 'string' && WRITING_COMMAND.test(args.command);
  if (path && (WRITING_TOOL.test(name) || (/editor/i.test(name) && editorCommand))) return [{ kind: 'write', path, applied }];
  if (path && /editor/i.test(name)) return [];
  if (!command) return [];
  const exitCode = exitCodeOf(output);
  return [{ kind: 'run', command, output, exitCode, failed: runFailed(output, exitCode, isError) }, ...runWrites(command, output).map((p) => ({ kind: 'write' as const, path: p, applied: true }))];
}

export function genericTrace(conversation: Conversation): Trace {
  const items: Item[] = markTextProtocol(conversation).items;
  const results = new Map<string, { output: string; isError: boolean }>();
  for (const item of items) if (item.kind === 'tool_result') results.set(item.callId, { output: toolOutputText(item.output), isError: item.isError === true });
  const steps: Step[] = [];
  items.forEach((item, i) => {
    if (item.kind === 'tool_call') {
      const result = results.get(item.callId);
      if (result) steps.push(...callSteps(item.name, parseArgs(item.arguments), item.arguments, result.output, result.isError));
    } else if (item.kind === 'message' && item.role === 'assistant') {
      // A text-protocol action counts once the environment answered it.
      const next = items[i + 1];
      const action = textActionOf(messageText(item.content));
      if (action && next?.kind === 'message' && next.observation) steps.push(...callSteps(action.name, action.args, '', messageText(next.content), false));
    }
  });
  const task = items.find((item) => item.kind === 'message' && item.role === 'user' && !item.observation && !item.demonstration);
  return { task: task?.kind === 'message' ? messageText(task.content) : '', steps };
}
