// `compact-relay compact`: compacts a saved session offline and reports the savings — the same
// engine the relay runs, on a chat/Responses JSON file or a recorded agent trajectory.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadSessionFile, SessionFormatError, type SessionFormat } from '../conversation/trajectories.ts';
import { adapterFor } from '../adapters/registry.ts';
import { compactConversation, countConversationTokens, type CompactionOptions } from '../compaction/index.ts';
import { httpSummarizer } from '../compaction-api/http-summarizer.ts';

export interface CompactFileOptions {
  in: string;
  format?: 'auto' | SessionFormat;
  budget: number;
  strategy?: 'ledger' | 'model' | 'none';
  out?: string;
  report?: string;
  summarizerUrl?: string;
  summarizerKey?: string;
  summarizerModel?: string;
}

export async function compactFile(opts: CompactFileOptions, stderr: NodeJS.WritableStream = process.stderr): Promise<void> {
  let text: string;
  try {
    text = readFileSync(opts.in, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${opts.in}: ${(err as Error).message}`, { cause: err });
  }
  const showProgress = (stderr as NodeJS.WriteStream).isTTY === true && text.length > 2_000_000;
  const bar = showProgress ? new cliProgress.SingleBar({ format: 'compacting [{bar}] {stage}', stream: stderr as NodeJS.WriteStream }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(3, 0, { stage: 'reading' });
  const session = loadSessionFile(text, opts.in, opts.format ?? 'auto');
  bar?.update(1, { stage: 'counting tokens' });
  const options: CompactionOptions = { budgetTokens: opts.budget, strategy: opts.strategy ?? 'ledger' };
  if (options.strategy === 'model') {
    if (!opts.summarizerUrl || !opts.summarizerModel) throw new Error('--strategy model needs --summarizer-url and --summarizer-model (an OpenAI-compatible chat completions endpoint)');
    options.summarizer = httpSummarizer(opts.summarizerUrl, opts.summarizerKey ?? '', opts.summarizerModel);
  }
  const started = performance.now();
  const before = countConversationTokens(session.conversation);
  bar?.update(2, { stage: 'compacting' });
  const result = await compactConversation(session.conversation, options);
  const ms = performance.now() - started;
  bar?.update(3, { stage: 'done' });
  bar?.stop();
  const output = adapterFor(session.format === 'responses' ? 'responses' : 'chat').encodeConversation(result.conversation);
  const json = JSON.stringify(output, null, 2) + '\n';
  if (opts.out) writeFileSync(opts.out, json);
  else process.stdout.write(json);
  const after = result.report.tokensAfter;
  stderr.write(`${opts.in}: ${before} → ${after} tokens (${(before / Math.max(after, 1)).toFixed(2)}×), ${ms.toFixed(1)} ms, ${session.source}\n`);
  if (opts.report) writeFileSync(opts.report, JSON.stringify({ input: opts.in, source: session.source, format: session.format, budget: opts.budget, ...result.report }, null, 2) + '\n');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--budget must be a positive whole number of tokens, got "${value}"`);
  return n;
}

export function registerCompactCommand(program: Command): void {
  program.command('compact')
    .description('compact a saved session (chat messages, Responses input, or an agent trajectory) offline')
    .requiredOption('--in <file>', 'session file (JSON or JSON Lines)')
    .option('--format <format>', 'auto | chat | responses', 'auto')
    .requiredOption('--budget <tokens>', 'token budget the result must fit', positiveInt)
    .option('--strategy <strategy>', 'ledger (no model) | model (ledger plus a model summary) | none (no summary)', 'ledger')
    .option('--out <file>', 'write the compacted session here instead of stdout')
    .option('--report <file>', 'write a JSON report (tokens, layers, ledger, timings)')
    .option('--summarizer-url <url>', 'OpenAI-compatible base URL for --strategy model')
    .option('--summarizer-key <key>', 'API key for the summarizer')
    .option('--summarizer-model <model>', 'model for the summarizer')
    .action(async (opts) => {
      if (!['auto', 'chat', 'responses'].includes(opts.format)) throw new Error(`--format must be auto, chat or responses; got "${opts.format}"`);
      if (!['ledger', 'model', 'none'].includes(opts.strategy)) throw new Error(`--strategy must be ledger, model or none; got "${opts.strategy}"`);
      try {
        await compactFile(opts);
      } catch (err) {
        if (err instanceof SessionFormatError) throw new Error(err.message, { cause: err });
        throw err;
      }
    });
}
