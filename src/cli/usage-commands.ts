// `compact-relay usage` and `compact-relay savings`: read the usage log of the relay's store, as
// tables or JSON lines.
import type { Command } from 'commander';
import { UsageLog, compactionSavings } from '../store/usage-log.ts';
import { integerAtLeast, sinceTime } from './option-parsers.ts';
import { withStore, withStoreOptions } from './store-access.ts';
import { printTable } from './format.ts';

export function registerUsageCommands(program: Command): void {
  withStoreOptions(program.command('savings').description('what compaction saved, per key and group')
    .option('--json', 'one JSON object per line')
    .option('--since <time>', 'only requests at or after this time: an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or a span back from now (30m, 24h, 7d)', sinceTime()))
    .action(async (opts) => {
      const rows = await withStore(opts, (store) => compactionSavings(store.db, opts.since));
      if (opts.json) {
        for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
        return;
      }
      printTable(rows.map((r) => ({ key: r.key_name ?? '', group: r.group_name ?? '', compactions: r.compactions, tokens_before: r.tokens_before, tokens_after: r.tokens_after, saved: r.tokens_saved, summarizer_in: r.summarizer_input_tokens, summarizer_out: r.summarizer_output_tokens })));
    });

  withStoreOptions(program.command('usage').description('newest usage rows')
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'how many rows, 1 or more', integerAtLeast(1), 20)
    .option('--key <name>', 'only this key')
    .option('--model <model>', 'only this model'))
    .action(async (opts) => {
      const rows = await withStore(opts, (store) => new UsageLog(store.db, { intervalMs: 3_600_000 }).query({ limit: opts.limit, keyName: opts.key, model: opts.model }));
      if (opts.json) {
        for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
        return;
      }
      printTable(rows.map((r) => ({
        time: r.ts, key: r.key_name ?? '', model: r.model ?? '', channel: r.channel ?? '', endpoint: r.endpoint, status: r.status,
        stream: r.streamed ? 'yes' : 'no', in: r.input_tokens, out: r.output_tokens, cached: r.cached_tokens, ms: r.latency_ms, error: r.error_code ?? '',
      })));
    });
}
