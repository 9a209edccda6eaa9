// Ledger precision, judged against facts derived from the raw file: the ledger block the engine
// writes into its summary is parsed (files it lists as changed, its current error) and each entry
// is checked: a file entry needs a write attempt on that path; a current error must be a line of
// a failed run's output, and not one a later successful run of the same command resolved.
import type { Conversation } from '../../src/conversation/model.ts';
import { itemPlainText } from './text-of.ts';
import { normalizeSpace, type SessionFacts } from './facts.ts';

export interface ParsedLedger {
  /** Paths listed under a "Files changed / edited / written" heading. */
  changed: string[];
  /** The current error line and the command it is attributed to; null for "none". */
  currentError: { line: string; command?: string } | null;
}

export interface LedgerVerdict {
  found: boolean;
  listed: number;
  falseChanged: string[];
  errorShown: boolean;
  falseError: string | null;
}

/** Sections of a ledger text by their `### ` heading. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const heading = /^#{2,3} (.+)$/.exec(line);
    if (heading) out.set(heading[1].trim(), (current = []));
    else if (current) current.push(line);
  }
  return out;
}

export function parseLedger(conversation: Conversation): ParsedLedger | null {
  const text = conversation.items.map(itemPlainText).find((t) => /^#{2,3} Current error/m.test(t) || /^#{2,3} Files (changed|edited|written)/m.test(t));
  if (!text) return null;
  const ledger: ParsedLedger = { changed: [], currentError: null };
  for (const [heading, lines] of sections(text)) {
    if (/^Files (changed|edited|written|modified)/i.test(heading)) {
      for (const line of lines) {
        const m = /^- (?:\w+: )?`?([^`]+?)`?(?: \(.*\))?$/.exec(line.trim());
        if (m) ledger.changed.push(m[1].trim());
      }
    } else if (/^Current error/i.test(heading)) {
      const first = lines.find((l) => l.startsWith('- '));
      if (first && !/^- (none|no error)/i.test(first)) {
        const m = /^- ([\s\S]*?)(?: \(from `([\s\S]*)`\))?$/.exec(first);
        ledger.currentError = { line: (m?.[1] ?? first.slice(2)).trim(), ...(m?.[2] ? { command: m[2] } : {}) };
      }
    }
  }
  return ledger;
}

/** Same file (one path may be relative to the other), or `listed` is a directory something was written in. */
const samePath = (listed: string, written: string) => listed === written || listed.endsWith(`/${written}`) || written.endsWith(`/${listed}`) || written.startsWith(`${listed.replace(/\/$/, '')}/`) || written.includes(`/${listed.replace(/\/$/, '')}/`);

export function judgeLedger(conversation: Conversation, facts: SessionFacts): LedgerVerdict {
  const ledger = parseLedger(conversation);
  if (!ledger) return { found: false, listed: 0, falseChanged: [], errorShown: false, falseError: null };
  const falseChanged = ledger.changed.filter((p) => !facts.attemptedWrites.some((w) => samePath(p, w)));
  let falseError: string | null = null;
  if (ledger.currentError) {
    const line = normalizeSpace(ledger.currentError.line);
    const failedAt = facts.runs.map((r, i) => (r.failed && normalizeSpace(r.output).includes(line) ? i : -1)).filter((i) => i >= 0).pop();
    if (line.length < 3 || failedAt === undefined) falseError = ledger.currentError.line;
    else {
      const command = normalizeSpace(facts.runs[failedAt].command);
      if (facts.runs.slice(failedAt + 1).some((r) => !r.failed && normalizeSpace(r.command) === command)) falseError = `${ledger.currentError.line} (resolved by a later run)`;
    }
  }
  return { found: true, listed: ledger.changed.length, falseChanged, errorShown: !!ledger.currentError, falseError };
}
