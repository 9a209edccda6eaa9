// The ledger's shape: what the L3 ledger extracts from a history (ledger.ts) and what is rendered
// from it (ledger-render.ts).
import type { FileChange } from './shell-effects.ts';

export interface CommandRecord {
  command: string;
  exitCode: number | null;
  /** Failed by its exit code, the tool's error flag, or a traceback, compiler or test failure in its output. */
  failed: boolean;
}

export interface Ledger {
  userMessages: string[];
  /** Files with evidence of a write, in the order first written. */
  files: { path: string; change: FileChange }[];
  /** Files only read (viewed, `Read`, `cat` …), never written. */
  filesRead: string[];
  commands: CommandRecord[];
  /** The newest command, with the last lines it printed. */
  lastCommand: (CommandRecord & { outputTail: string }) | null;
  latestError: { command: string; line: string } | null;
  resolvedErrors: string[];
  openPlan: string[];
  identifiers: string[];
}
