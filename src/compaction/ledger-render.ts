// The ledger as Markdown: the whole ledger for a first summary, and for a later part of a summary
// only what changed since the parts already sent (new user messages, files, commands; state such
// as the current error or the open plan when it differs). User messages are quoted verbatim
// (credentials were redacted at extraction); everything else is redacted again here.
import type { CommandRecord, Ledger } from './ledger-types.ts';
import { redactSecrets as r } from './secrets.ts';
import { countTextTokens } from './tokens.ts';

const oneLine = (text: string) => text.replace(/\n/g, ' ');
const outcomeText = (c: CommandRecord) => (c.exitCode !== null ? String(c.exitCode) : c.failed ? 'failed' : '?');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function userSection(out: string[], messages: string[]): void {
  if (messages.length === 0) return;
  out.push('### User messages (verbatim, oldest first)');
  for (const m of messages) out.push(`> ${m.replace(/\n/g, '\n> ')}`);
}

function filesSections(out: string[], files: Ledger['files'], filesRead: string[]): void {
  if (files.length) {
    out.push('### Files changed');
    for (const f of files) out.push(`- ${f.change}: ${r(f.path)}`);
  }
  if (filesRead.length) {
    out.push('### Files read (not changed)');
    out.push(filesRead.slice(-40).map((p) => `\`${r(p)}\``).join(', '));
  }
}

function commandsSection(out: string[], commands: CommandRecord[]): void {
  if (commands.length === 0) return;
  out.push('### Recent commands (exit code)');
  for (const c of commands) out.push(`- \`${oneLine(r(c.command))}\` → ${outcomeText(c)}`);
}

function lastCommandSection(out: string[], last: Ledger['lastCommand'], outputLeftOut = false): void {
  if (!last) return;
  out.push('### Last command');
  out.push(`\`${oneLine(r(last.command))}\` → ${outcomeText(last)}${last.outputTail ? ', ending with:' : outputLeftOut ? ' (its output not shown)' : ', no output'}`);
  if (last.outputTail) out.push('```\n' + r(last.outputTail).replace(/```/g, "'''") + '\n```');
}

function errorSection(out: string[], error: Ledger['latestError']): void {
  out.push('### Current error');
  out.push(error ? `- ${r(error.line)} (from \`${oneLine(r(error.command))}\`)` : '- none outstanding');
}

function resolvedSection(out: string[], resolved: string[]): void {
  if (resolved.length === 0) return;
  out.push('### Resolved errors (no longer current)');
  for (const e of resolved) out.push(`- ${r(e)}`);
}

function planSection(out: string[], plan: string[], heading = '### Open plan items'): void {
  if (plan.length === 0) return;
  out.push(heading);
  for (const p of plan) out.push(`- [ ] ${r(p)}`);
}

function identifiersSection(out: string[], identifiers: string[], heading = '### Identifiers (latest values)'): void {
  if (identifiers.length === 0) return;
  out.push(heading);
  out.push(identifiers.map((i) => `\`${r(i)}\``).join(', '));
}

/** The error state is stated once commands have run (a session of reads and edits only has none to state). */
const statesError = (ledger: Ledger) => !!(ledger.latestError || ledger.commands.length > 0 || ledger.lastCommand || ledger.resolvedErrors.length > 0);

export function renderLedger(ledger: Ledger): string {
  const out: string[] = ['## Session ledger'];
  userSection(out, ledger.userMessages);
  filesSections(out, ledger.files, ledger.filesRead ?? []);
  commandsSection(out, ledger.commands);
  lastCommandSection(out, ledger.lastCommand);
  if (statesError(ledger)) errorSection(out, ledger.latestError);
  resolvedSection(out, ledger.resolvedErrors);
  planSection(out, ledger.openPlan);
  identifiersSection(out, ledger.identifiers);
  return out.join('\n');
}

/**
 * What a later part of a summary says: `sinceEarlier` is the ledger of the items retired since the
 * earlier parts (their messages, files and commands), `whole` the ledger of everything retired (the
 * state now), `earlier` the ledger the earlier parts were written from. State that has not changed
 * is left to the earlier parts; a file read here but changed anywhere retired is not "read only".
 */
export function renderLedgerChanges(sinceEarlier: Ledger, whole: Ledger, earlier: Ledger): string {
  // The message's prefix says what this is; sections follow directly.
  const out: string[] = [];
  userSection(out, sinceEarlier.userMessages);
  const readOnly = new Set(whole.filesRead ?? []);
  filesSections(out, sinceEarlier.files, (sinceEarlier.filesRead ?? []).filter((p) => readOnly.has(p)));
  commandsSection(out, sinceEarlier.commands);
  if (!same(whole.lastCommand, earlier.lastCommand)) lastCommandSection(out, whole.lastCommand);
  if (!same(whole.latestError, earlier.latestError)) errorSection(out, whole.latestError);
  resolvedSection(out, whole.resolvedErrors.filter((e) => !earlier.resolvedErrors.includes(e)));
  if (!same(whole.openPlan, earlier.openPlan)) {
    if (whole.openPlan.length === 0) out.push('### Open plan items', '- none open now');
    else planSection(out, whole.openPlan, '### Open plan items (now)');
  }
  const known = new Set(earlier.identifiers);
  identifiersSection(out, whole.identifiers.filter((i) => !known.has(i)), '### New identifiers (latest values)');
  if (out.length === 0) out.push('Nothing beyond the summary above.');
  return out.join('\n');
}

/**
 * One section of an abridged ledger: `render(k)` writes it with its newest `k` entries (a list
 * section) or its last `k` output lines (the last command); `size` is how many there are.
 */
interface AbridgedSection {
  size: number;
  render(k: number): string[];
}

const lines = (write: (out: string[]) => void) => {
  const out: string[] = [];
  write(out);
  return out;
};

/** List sections keep their newest entries and say how many older ones are not shown. */
function listSection<T>(entries: T[], write: (out: string[], kept: T[]) => void): AbridgedSection {
  return {
    size: entries.length,
    render: (k) => lines((out) => {
      write(out, entries.slice(-k));
      if (k < entries.length) out.push(`(${entries.length - k} earlier not shown)`);
    }),
  };
}

/**
 * The ledger within `maxTokens` when the whole of it does not fit: the sections that matter most
 * for carrying on come first (files changed, the last command and its outcome, the current error,
 * the human's words, the open plan), each with as many of its newest entries as fit; a section is
 * never cut in the middle of an entry, so nothing it lists is half a path or half an error.
 * Null when not even one entry fits.
 */
export function renderLedgerWithin(ledger: Ledger, maxTokens: number): string | null {
  const whole = renderLedger(ledger);
  if (countTextTokens(whole) <= maxTokens) return whole;
  const last = ledger.lastCommand;
  const tail = last?.outputTail ? last.outputTail.split('\n') : [];
  // Canonical order of the sections (as renderLedger writes them), and the order they are chosen in.
  const sections: AbridgedSection[] = [
    listSection(ledger.userMessages, userSection),
    listSection(ledger.files, (out, kept) => filesSections(out, kept, [])),
    listSection(ledger.filesRead ?? [], (out, kept) => filesSections(out, [], kept)),
    listSection(ledger.commands, commandsSection),
    { size: last ? tail.length + 1 : 0, render: (k) => lines((out) => lastCommandSection(out, last && { ...last, outputTail: k > 1 ? tail.slice(tail.length - (k - 1)).join('\n') : '' }, tail.length > 0)) },
    { size: statesError(ledger) ? 1 : 0, render: () => lines((out) => errorSection(out, ledger.latestError)) },
    listSection(ledger.resolvedErrors, resolvedSection),
    listSection(ledger.openPlan, (out, kept) => planSection(out, kept)),
    listSection(ledger.identifiers, (out, kept) => identifiersSection(out, kept)),
  ];
  const [users, files, reads, commands, lastCommand, error, resolved, plan, identifiers] = sections;
  const priority = [files, lastCommand, error, users, plan, commands, reads, identifiers, resolved];
  const heading = '## Session ledger (abridged to fit)';
  const chosen = new Map<AbridgedSection, { k: number; text: string[]; tokens: number }>();
  const used = () => countTextTokens(heading) + [...chosen.values()].reduce((n, c) => n + c.tokens + 1, 0);
  /** Gives `section` the most entries up to `upTo` that fit beside what is chosen, found by halving. */
  const grow = (section: AbridgedSection, upTo: number) => {
    const current = chosen.get(section);
    const room = maxTokens - used() + (current ? current.tokens + 1 : 0);
    let lo = current?.k ?? 0;
    let hi = Math.min(upTo, section.size);
    while (lo < hi) {
      const k = Math.ceil((lo + hi) / 2);
      const text = section.render(k);
      const tokens = countTextTokens(text.join('\n'));
      if (tokens + 1 <= room) {
        lo = k;
        chosen.set(section, { k, text, tokens });
      } else hi = k - 1;
    }
  };
  // First each section's newest entry (the last command with its last output line), in order of
  // priority; then the room left goes to more entries, in the same order.
  for (const section of priority) if (section.size > 0) grow(section, section === lastCommand ? 2 : 1);
  for (const section of priority) if (chosen.has(section)) grow(section, section.size);
  if (chosen.size === 0) return null;
  return [heading, ...sections.flatMap((section) => chosen.get(section)?.text ?? [])].join('\n');
}
