// The ledger as Markdown: the whole ledger for a first summary, and for a later part of a summary
// only what changed since the parts already sent (new user messages, files, commands; state such
// as the current error or the open plan when it differs). User messages are quoted verbatim
// (credentials were redacted at extraction); everything else is redacted again here.
import type { CommandRecord, Ledger } from './ledger-types.ts';
import { redactSecrets as r } from './secrets.ts';

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

function lastCommandSection(out: string[], last: Ledger['lastCommand']): void {
  if (!last) return;
  out.push('### Last command');
  out.push(`\`${oneLine(r(last.command))}\` → ${outcomeText(last)}${last.outputTail ? ', ending with:' : ', no output'}`);
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

export function renderLedger(ledger: Ledger): string {
  const out: string[] = ['## Session ledger'];
  userSection(out, ledger.userMessages);
  filesSections(out, ledger.files, ledger.filesRead ?? []);
  commandsSection(out, ledger.commands);
  lastCommandSection(out, ledger.lastCommand);
  // The error state is stated once commands have run (a session of reads and edits only has none to state).
  if (ledger.latestError || ledger.commands.length > 0 || ledger.lastCommand || ledger.resolvedErrors.length > 0) errorSection(out, ledger.latestError);
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
