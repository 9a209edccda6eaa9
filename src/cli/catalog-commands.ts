// `compact-relay channels|groups|keys|usage`: manage the catalog and read the usage log on the
// same data dir (or DATABASE_URL) a server uses; running servers see changes within a second.
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openStore, type StoreHandle } from '../store/database.ts';
import { CatalogStore, CHANNEL_TYPES, type ChannelType } from '../store/catalog-store.ts';
import { UsageLog, compactionSavings } from '../store/usage-log.ts';
import { loadServerSecret } from '../store/server-secret.ts';
import { SecretBox } from '../store/secret-box.ts';
import { printTable, splitList } from './format.ts';

interface StoreFlags {
  dataDir?: string;
  config?: string;
}

async function withStore<T>(flags: StoreFlags, work: (store: StoreHandle, catalog: CatalogStore) => Promise<T>): Promise<T> {
  const config = loadConfig({ dataDir: flags.dataDir, config: flags.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    // The same server secret as the relay's, so the keys it stores are sealed the same way.
    const secret = await loadServerSecret(store.db, process.env.COMPACT_RELAY_SECRET);
    return await work(store, new CatalogStore(store.db, new SecretBox(secret)));
  } finally {
    await store.close();
  }
}

const dataDirOption = ['--data-dir <dir>', 'data directory (env COMPACT_RELAY_DATA, default ./data)'] as const;
const configOption = ['--config <file>', 'YAML config file (env COMPACT_RELAY_CONFIG)'] as const;

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${value}"`);
    return n;
  };
}

export function registerCatalogCommands(program: Command): void {
  const channels = program.command('channels').description('upstream channels');
  channels.command('add')
    .description('add or replace an upstream channel')
    .requiredOption('--name <name>', 'channel name')
    .requiredOption('--type <type>', `wire format: ${CHANNEL_TYPES.join(' | ')}`)
    .requiredOption('--base-url <url>', 'base URL including /v1, e.g. https://api.openai.com/v1')
    .option('--api-key <key>', 'the upstream API key', '')
    .requiredOption('--models <list>', 'comma-separated model names it serves')
    .option('--priority <n>', 'higher is tried first', positiveInt('--priority'), 0)
    .option('--weight <n>', 'share within its priority tier', positiveInt('--weight'), 1)
    .option('--alias <pairs>', 'client=upstream model renames, comma-separated')
    .option('--context-window <tokens>', 'context window of its models, for compaction', positiveInt('--context-window'))
    .option('--native-compaction', 'the upstream implements /responses/compact itself (OpenAI)')
    .option('--timeout-ms <ms>', 'time allowed for the upstream to answer', positiveInt('--timeout-ms'))
    .option('--default-max-tokens <n>', 'anthropic channels: max_tokens when the client sets no output limit (default 8192)', positiveInt('--default-max-tokens'))
    .option(...dataDirOption)
    .option(...configOption)
    .action(async (opts) => {
      if (!CHANNEL_TYPES.includes(opts.type)) throw new Error(`--type must be one of ${CHANNEL_TYPES.join(', ')}; got "${opts.type}"`);
      try {
        new URL(opts.baseUrl);
      } catch {
        throw new Error(`--base-url is not a URL: "${opts.baseUrl}"`);
      }
      const models = splitList(opts.models);
      if (models.length === 0) throw new Error('--models needs at least one model name');
      const aliases = opts.alias ? Object.fromEntries(splitList(opts.alias).map((pair) => {
        const [from, to] = pair.split('=');
        if (!from || !to) throw new Error(`--alias entries look like client=upstream; got "${pair}"`);
        return [from, to];
      })) : undefined;
      await withStore(opts, (_s, catalog) => catalog.upsertChannel({
        name: opts.name,
        type: opts.type as ChannelType,
        baseUrl: opts.baseUrl,
        apiKey: opts.apiKey,
        models,
        priority: opts.priority,
        weight: opts.weight,
        enabled: true,
        options: {
          ...(aliases ? { aliases } : {}),
          ...(opts.contextWindow ? { contextWindow: opts.contextWindow } : {}),
          ...(opts.nativeCompaction ? { nativeCompaction: true } : {}),
          ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          ...(opts.defaultMaxTokens ? { defaultMaxTokens: opts.defaultMaxTokens } : {}),
        },
        source: 'cli',
      }));
      console.error(`channel "${opts.name}" saved`);
    });
  channels.command('list').description('list channels (keys are not shown)').option(...dataDirOption).option(...configOption).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listChannels());
    printTable(rows.map((c) => ({ name: c.name, type: c.type, base_url: c.baseUrl, models: c.models.join(','), priority: c.priority, weight: c.weight, enabled: c.enabled ? 'yes' : 'no', key: c.apiKeyUnreadable ? 'UNREADABLE' : c.apiKey ? 'set' : 'none', source: c.source })));
  });
  channels.command('remove').description('remove a channel').argument('<name>').option(...dataDirOption).option(...configOption).action(async (name: string, opts) => {
    const removed = await withStore(opts, (_s, c) => c.removeChannel(name));
    if (!removed) throw new Error(`No channel named "${name}".`);
    console.error(`channel "${name}" removed`);
  });
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    channels.command(verb).description(`${verb} a channel`).argument('<name>').option(...dataDirOption).option(...configOption).action(async (name: string, opts) => {
      const changed = await withStore(opts, (_s, c) => c.setChannelEnabled(name, enabled));
      if (!changed) throw new Error(`No channel named "${name}".`);
      console.error(`channel "${name}" ${verb}d`);
    });
  }

  const groups = program.command('groups').description('groups of keys and the models they may use');
  groups.command('add').description('add or replace a group')
    .requiredOption('--name <name>', 'group name')
    .requiredOption('--models <list>', 'comma-separated model names, or * for all')
    .option('--compaction-strategy <strategy>', 'model (summary + ledger, default) | ledger (no model call) | none')
    .option('--compaction-output <form>', 'message (portable summary message, default) | sealed (one sealed compaction item, like OpenAI)')
    .option('--summarizer-model <model>', 'a cheaper model that writes compaction summaries (default: the request\'s own)')
    .option('--compaction-fallback <mode>', 'when the model summary fails: ledger (the ledger stands in, said in x-compaction-fallback; default) | error (answer 502/503/504)')
    .option(...dataDirOption).option(...configOption)
    .action(async (opts) => {
      const models = splitList(opts.models);
      if (models.length === 0) throw new Error('--models needs at least one model name, or *');
      if (opts.compactionStrategy && !['model', 'ledger', 'none'].includes(opts.compactionStrategy)) throw new Error(`--compaction-strategy must be model, ledger or none; got "${opts.compactionStrategy}"`);
      if (opts.compactionOutput && !['message', 'sealed'].includes(opts.compactionOutput)) throw new Error(`--compaction-output must be message or sealed; got "${opts.compactionOutput}"`);
      if (opts.compactionFallback && !['ledger', 'error'].includes(opts.compactionFallback)) throw new Error(`--compaction-fallback must be ledger or error; got "${opts.compactionFallback}"`);
      const compaction = {
        ...(opts.compactionStrategy ? { strategy: opts.compactionStrategy } : {}),
        ...(opts.compactionOutput ? { output: opts.compactionOutput } : {}),
        ...(opts.summarizerModel ? { summarizerModel: opts.summarizerModel } : {}),
        ...(opts.compactionFallback ? { fallback: opts.compactionFallback } : {}),
      };
      await withStore(opts, (_s, c) => c.upsertGroup(opts.name, models, Object.keys(compaction).length ? { compaction } : {}));
      console.error(`group "${opts.name}" saved`);
    });
  groups.command('list').description('list groups').option(...dataDirOption).option(...configOption).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listGroups());
    printTable(rows.map((g) => ({ name: g.name, models: g.models.join(','), compaction: JSON.stringify(g.options.compaction ?? {}), source: g.source })));
  });
  groups.command('remove').description('remove a group without active keys').argument('<name>').option(...dataDirOption).option(...configOption).action(async (name: string, opts) => {
    const removed = await withStore(opts, (_s, c) => c.removeGroup(name));
    if (!removed) throw new Error(`No group named "${name}".`);
    console.error(`group "${name}" removed`);
  });

  const keys = program.command('keys').description('API keys');
  keys.command('create').description('create a key; prints the secret once, on stdout')
    .requiredOption('--name <name>', 'key name')
    .requiredOption('--group <group>', 'the group deciding its models')
    .option(...dataDirOption).option(...configOption)
    .action(async (opts) => {
      const { secret } = await withStore(opts, (_s, c) => c.createKey(opts.name, opts.group));
      process.stdout.write(secret + '\n');
      console.error(`key "${opts.name}" created in group "${opts.group}"; the secret above is shown only once`);
    });
  keys.command('list').description('list keys (secrets are never shown)').option(...dataDirOption).option(...configOption).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listKeys());
    printTable(rows.map((k) => ({ name: k.name, prefix: k.keyPrefix + '…', group: k.groupName, limits: JSON.stringify(k.options), created: k.createdAt, revoked: k.revokedAt ?? '' })));
  });
  keys.command('revoke').description('revoke a key').argument('<name>').option(...dataDirOption).option(...configOption).action(async (name: string, opts) => {
    const revoked = await withStore(opts, (_s, c) => c.revokeKey(name));
    if (!revoked) throw new Error(`No active key named "${name}".`);
    console.error(`key "${name}" revoked`);
  });

  const limitOptions = (command: Command, withQuotas: boolean) => {
    command
      .option('--rpm <n>', 'requests per minute', positiveInt('--rpm'))
      .option('--tpm <n>', 'tokens per minute (estimated before the call, corrected after)', positiveInt('--tpm'))
      .option('--concurrency <n>', 'requests in flight at once', positiveInt('--concurrency'));
    if (withQuotas) {
      command
        .option('--quota-tokens <n>', 'total tokens this key may use', positiveInt('--quota-tokens'))
        .option('--quota-usd <amount>', 'total cost this key may run up, from the price table', (v: string) => {
          const n = Number(v);
          if (!(n > 0)) throw new Error(`--quota-usd must be a positive amount, got "${v}"`);
          return n;
        });
    }
    return command.option('--clear', 'remove every limit first').option(...dataDirOption).option(...configOption);
  };
  const mergeLimits = (current: Record<string, unknown>, opts: Record<string, any>) => {
    const next: Record<string, unknown> = { ...current };
    if (opts.clear) for (const k of ['rpm', 'tpm', 'concurrency', 'quotaTokens', 'quotaUsd']) delete next[k];
    for (const k of ['rpm', 'tpm', 'concurrency', 'quotaTokens', 'quotaUsd']) if (opts[k] !== undefined) next[k] = opts[k];
    return next;
  };
  limitOptions(keys.command('limits').description('set rate limits and quotas of a key').argument('<name>'), true).action(async (name: string, opts) => {
    const done = await withStore(opts, async (_s, c) => {
      const key = (await c.listKeys()).find((k) => k.name === name && !k.revokedAt);
      if (!key) throw new Error(`No active key named "${name}".`);
      const options = mergeLimits(key.options, opts);
      await c.updateKeyOptions(name, options);
      return options;
    });
    console.error(`key "${name}" limits: ${JSON.stringify(done)}`);
  });
  limitOptions(groups.command('limits').description('set rate limits shared by all keys of a group').argument('<name>'), false).action(async (name: string, opts) => {
    const done = await withStore(opts, async (_s, c) => {
      const group = (await c.listGroups()).find((g) => g.name === name);
      if (!group) throw new Error(`No group named "${name}".`);
      const options = mergeLimits(group.options, opts);
      await c.updateGroupOptions(name, options);
      return options;
    });
    console.error(`group "${name}" limits: ${JSON.stringify(done)}`);
  });

  program.command('savings').description('what compaction saved, per key and group')
    .option('--json', 'one JSON object per line')
    .option('--since <iso-time>', 'only requests at or after this time')
    .option(...dataDirOption).option(...configOption)
    .action(async (opts) => {
      const rows = await withStore(opts, (store) => compactionSavings(store.db, opts.since));
      if (opts.json) {
        for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
        return;
      }
      printTable(rows.map((r) => ({ key: r.key_name ?? '', group: r.group_name ?? '', compactions: r.compactions, tokens_before: r.tokens_before, tokens_after: r.tokens_after, saved: r.tokens_saved, summarizer_in: r.summarizer_input_tokens, summarizer_out: r.summarizer_output_tokens })));
    });

  program.command('usage').description('newest usage rows')
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'how many rows', positiveInt('--limit'), 20)
    .option('--key <name>', 'only this key')
    .option('--model <model>', 'only this model')
    .option(...dataDirOption).option(...configOption)
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
