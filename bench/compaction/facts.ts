// Facts a compacted real session must still carry, derived from the raw file by this script alone
// (the compaction engine and the relay's loaders are not used): the task text and its identifiers,
// every file written, the last command and its outcome, the last error, the files of the final
// patch; plus the runs and writes that decide whether a ledger entry is true.
import type { RunStep, Trace } from './facts/trace.ts';
import { openHandsChatTrace, openHandsResolverTrace } from './facts/openhands.ts';
import { miniSweAgentTrace } from './facts/mini-swe-agent.ts';
import { aiderTrace } from './facts/aider.ts';
import { claudeCodeTrace } from './facts/claude-code.ts';
import { sweAgentTrace } from './facts/swe-agent.ts';
import { genericTrace } from './facts/generic.ts';
import type { Conversation } from '../../src/conversation/model.ts';
import { contentLines, errorLineOf, patchFiles } from './facts/shell.ts';

export type RawSession =
  | { kind: 'openhands-chat'; data: any }
  | { kind: 'openhands-resolver'; run: any }
  | { kind: 'mini-swe-agent'; data: any }
  | { kind: 'aider'; fileText: string; startedAt: string }
  | { kind: 'claude-code'; records: any[]; thread: string }
  | { kind: 'swe-agent'; data: any }
  | { kind: 'generic'; conversation: Conversation };

export type FactCategory = 'task' | 'identifiers' | 'files_written' | 'last_command' | 'last_outcome' | 'last_error' | 'patch_files';
export const FACT_CATEGORIES: FactCategory[] = ['task', 'identifiers', 'files_written', 'last_command', 'last_outcome', 'last_error', 'patch_files'];

/** One fact: retained when any of its `needles` (whitespace-normalized) is in the compacted text. */
export interface Fact {
  category: FactCategory;
  label: string;
  needles: string[];
}

export interface SessionFacts {
  facts: Fact[];
  /** Every path a write was attempted on (applied or not): a ledger entry outside it is false. */
  attemptedWrites: string[];
  runs: RunStep[];
}

export function traceOf(raw: RawSession): Trace {
  switch (raw.kind) {
    case 'openhands-chat': return openHandsChatTrace(raw.data);
    case 'openhands-resolver': return openHandsResolverTrace(raw.run);
    case 'mini-swe-agent': return miniSweAgentTrace(raw.data);
    case 'aider': return aiderTrace(raw.fileText, raw.startedAt);
    case 'claude-code': return claudeCodeTrace(raw.records, raw.thread);
    case 'swe-agent': return sweAgentTrace(raw.data);
    case 'generic': return genericTrace(raw.conversation);
  }
}

export const normalizeSpace = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Identifiers in the task text: paths, dotted and snake/camel-case names, backticked code, flags. */
export function identifiersOf(task: string): string[] {
  const found: string[] = [];
  const add = (s: string) => {
    const t = s.replace(/^[("'`[]+|[)"'`\].,:;!?]+$/g, '');
    if (t.length >= 4 && t.length <= 80 && !found.includes(t)) found.push(t);
  };
  for (const m of task.matchAll(/`([^`\n]{3,80})`/g)) add(m[1]);
  for (const m of task.matchAll(/\S+/g)) {
    const w = m[0].replace(/^[("'`[]+|[)"'`\].,:;!?]+$/g, '');
    if (/^https?:\/\//.test(w)) continue;
    if (/[\w-]+\/[\w./-]+/.test(w) || /^\w+(\.\w+)+\(?\)?$/.test(w) || /^[a-z]+_[a-z0-9_]+/i.test(w) || /^[a-z]+[A-Z]\w*$/.test(w) || /^[A-Z][a-z]+[A-Z]\w*$/.test(w) || /^--?[a-z][\w-]+$/.test(w)) add(w);
  }
  return found.slice(0, 25);
}

/** Lines of the task that carry content (at least 20 characters), each a fact. */
const taskLines = (task: string) => [...new Set(task.split('\n').map((l) => l.trim()).filter((l) => l.length >= 20))].slice(0, 40);

function outcomeNeedles(run: RunStep): string[] {
  const needles: string[] = [];
  const last = contentLines(run.output).filter((l) => l.length >= 4).at(-1);
  if (last) needles.push(last);
  if (run.exitCode !== null) {
    const cmd = normalizeSpace(run.command).slice(0, 60);
    needles.push(`${cmd}\` → ${run.exitCode}`, `${cmd}\` (exit ${run.exitCode})`, `${cmd}\` → exit ${run.exitCode}`);
  }
  return needles;
}

export function deriveFacts(raw: RawSession): SessionFacts {
  const trace = traceOf(raw);
  const facts: Fact[] = [];
  for (const line of taskLines(trace.task)) facts.push({ category: 'task', label: line.slice(0, 60), needles: [line] });
  for (const id of identifiersOf(trace.task)) facts.push({ category: 'identifiers', label: id, needles: [id] });
  const writes = trace.steps.filter((s) => s.kind === 'write');
  for (const path of [...new Set(writes.filter((w) => w.applied).map((w) => w.path))]) facts.push({ category: 'files_written', label: path, needles: [path] });
  const runs = trace.steps.filter((s): s is RunStep => s.kind === 'run');
  const last = runs.at(-1);
  if (last) {
    facts.push({ category: 'last_command', label: last.command.slice(0, 80), needles: [last.command.length > 300 ? last.command.slice(0, 300) : last.command] });
    const needles = outcomeNeedles(last);
    if (needles.length) facts.push({ category: 'last_outcome', label: needles[0].slice(0, 80), needles });
  }
  const failed = runs.filter((r) => r.failed).at(-1);
  const errorLine = failed && errorLineOf(failed.output);
  if (errorLine) facts.push({ category: 'last_error', label: errorLine.slice(0, 80), needles: [errorLine] });
  for (const path of trace.patch ? patchFiles(trace.patch) : []) facts.push({ category: 'patch_files', label: path, needles: [path] });
  return { facts, attemptedWrites: [...new Set(writes.map((w) => w.path))], runs };
}
