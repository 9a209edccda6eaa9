// `compact-relay channels …`: add (refusing an existing name unless --replace), update (only the
// flags given), list, remove, enable/disable and test. A stored upstream key is never dropped
// unless asked for (--api-key, --clear-api-key); keys are never printed.
import { Option, type Command } from 'commander';
import { Agent } from 'undici';
import { CHANNEL_TYPES, type ChannelOptions, type ChannelType } from '../access/catalog-schema.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { patchedChannel } from '../store/catalog-store.ts';
import { checkBaseUrl } from '../config/base-url.ts';
import { testChannel } from '../console/channel-test.ts';
import { anyInteger, integerAtLeast } from './option-parsers.ts';
import { withStore, withStoreOptions } from './store-access.ts';
import { printTable, splitList } from './format.ts';

/** What the flags of `add` or `update` ask to set (the channel's fields, then its options); undefined = not given. */
type ChannelChanges = Partial<Pick<ChannelRecord, 'type' | 'baseUrl' | 'apiKey' | 'models' | 'priority' | 'weight'>> & ChannelOptions;

const FIELD_LABELS: Record<keyof ChannelChanges, string> = {
  type: 'type', baseUrl: 'base URL', apiKey: 'upstream key', models: 'models', priority: 'priority', weight: 'weight',
  aliases: 'aliases', contextWindow: 'context window', nativeCompaction: 'native compaction', timeoutMs: 'timeout', defaultMaxTokens: 'default max tokens',
};

function parseAliases(value: string): Record<string, string> {
  return Object.fromEntries(splitList(value).map((pair) => {
    const [from, to, extra] = pair.split('=');
    if (!from || !to || extra !== undefined) throw new Error(`--alias entries look like client=upstream; got "${pair}"`);
    return [from.trim(), to.trim()];
  }));
}

/** Reads and checks the flags; prints base URL warnings on stderr. */
function changesFrom(opts: Record<string, any>): ChannelChanges {
  const changes: ChannelChanges = {};
  if (opts.type !== undefined) {
    if (!CHANNEL_TYPES.includes(opts.type as ChannelType)) throw new Error(`--type must be one of ${CHANNEL_TYPES.join(', ')}; got "${opts.type}"`);
    changes.type = opts.type;
  }
  if (opts.baseUrl !== undefined) {
    const checked = checkBaseUrl(opts.baseUrl);
    if (checked.warning) console.error(`warning: ${checked.warning}`);
    changes.baseUrl = checked.url;
  }
  if (opts.apiKey !== undefined) changes.apiKey = opts.apiKey;
  if (opts.models !== undefined) {
    changes.models = splitList(opts.models);
    if (changes.models.length === 0) throw new Error('--models needs at least one model name');
  }
  if (opts.alias !== undefined) changes.aliases = parseAliases(opts.alias);
  for (const key of ['priority', 'weight', 'contextWindow', 'nativeCompaction', 'timeoutMs', 'defaultMaxTokens'] as const) {
    if (opts[key] !== undefined) (changes as Record<string, unknown>)[key] = opts[key];
  }
  return changes;
}

/** The channel's options with the changes applied (an empty alias list removes the aliases). */
function mergedOptions(current: ChannelOptions, changes: ChannelChanges): ChannelOptions {
  const options: ChannelOptions = { ...current };
  if (changes.aliases !== undefined) {
    if (Object.keys(changes.aliases).length > 0) options.aliases = changes.aliases;
    else delete options.aliases;
  }
  if (changes.nativeCompaction === true) options.nativeCompaction = true;
  if (changes.nativeCompaction === false) delete options.nativeCompaction;
  for (const key of ['contextWindow', 'timeoutMs', 'defaultMaxTokens'] as const) if (changes[key] !== undefined) options[key] = changes[key];
  return options;
}

async function findChannel(catalog: { listChannels(): Promise<ChannelRecord[]> }, name: string): Promise<ChannelRecord | undefined> {
  return (await catalog.listChannels()).find((c) => c.name === name);
}

function warnIfDeclaredInConfig(channel: ChannelRecord | undefined): void {
  if (channel?.source === 'config') console.error(`warning: channel "${channel.name}" is declared in the config file; the relay restores the file's settings when it starts, so make this change there too.`);
}

/** The flags `add` and `update` share (add makes some of them required). */
function channelFlags(command: Command, required: boolean): Command {
  const flag = (spec: string, description: string) => (required ? command.requiredOption(spec, description) : command.option(spec, description));
  flag('--type <type>', `wire format: ${CHANNEL_TYPES.join(' | ')}`);
  flag('--base-url <url>', 'base URL including the version, e.g. https://api.openai.com/v1 (the relay adds /chat/completions, /responses, /messages)');
  command.option('--api-key <key>', 'the upstream API key');
  flag('--models <list>', 'comma-separated model names it serves');
  return command
    .option('--priority <n>', 'higher is tried first (a new channel: 0)', anyInteger)
    .option('--weight <n>', 'share within its priority tier, 1 or more (a new channel: 1)', integerAtLeast(1))
    .option('--alias <pairs>', 'client=upstream model renames, comma-separated ("" removes them)')
    .option('--context-window <tokens>', 'context window of its models, for compaction', integerAtLeast(1))
    .option('--native-compaction', 'the upstream implements /responses/compact itself (OpenAI)')
    .option('--timeout-ms <ms>', 'time allowed for the upstream to answer', integerAtLeast(1))
    .option('--default-max-tokens <n>', 'anthropic channels: max_tokens when the client sets no output limit (default 8192)', integerAtLeast(1));
}

function registerAdd(channels: Command): void {
  const add = channels.command('add').description('add an upstream channel (--replace to replace an existing one; its stored key is kept unless --api-key is given)')
    .requiredOption('--name <name>', 'channel name');
  channelFlags(add, true).option('--replace', 'replace the channel of that name if there is one');
  withStoreOptions(add).action(async (opts) => {
    const changes = changesFrom(opts);
    const outcome = await withStore(opts, async (_s, catalog) => {
      const existing = await findChannel(catalog, opts.name);
      if (existing && !opts.replace) {
        throw new Error(`A channel named "${opts.name}" already exists (${existing.type}, ${existing.baseUrl}). Change some of its settings with "compact-relay channels update ${opts.name} --flag…", or replace it with "channels add … --replace" (its stored upstream key is kept unless you pass --api-key).`);
      }
      warnIfDeclaredInConfig(existing);
      const record: Omit<ChannelRecord, 'id'> = {
        name: opts.name,
        type: changes.type!,
        baseUrl: changes.baseUrl!,
        apiKey: changes.apiKey ?? '',
        models: changes.models!,
        priority: changes.priority ?? 0,
        weight: changes.weight ?? 1,
        enabled: existing?.enabled ?? true,
        options: mergedOptions({}, changes),
        source: 'cli',
      };
      const keepStoredKey = existing !== undefined && changes.apiKey === undefined;
      await catalog.upsertChannel(record, { keepStoredKey });
      return { existing, keepStoredKey };
    });
    if (!outcome.existing) {
      console.error(`channel "${opts.name}" added${changes.apiKey ? '' : ' without an upstream key (requests reach the upstream unauthenticated; set one with "channels update --api-key")'}`);
      return;
    }
    const keyNote = outcome.keepStoredKey ? `; kept its stored upstream key (${outcome.existing.apiKey || outcome.existing.apiKeyUnreadable ? 'set' : 'none'})` : '';
    const enabledNote = outcome.existing.enabled ? '' : '; it stays disabled ("channels enable" to use it)';
    console.error(`channel "${opts.name}" replaced${keyNote}${enabledNote}`);
  });
}

function registerUpdate(channels: Command): void {
  const update = channels.command('update').description('change only the settings given (the stored upstream key is kept unless --api-key or --clear-api-key)')
    .argument('<name>', 'the channel to change');
  channelFlags(update, false)
    .option('--no-native-compaction', 'the upstream does not implement /responses/compact')
    .addOption(new Option('--clear-api-key', 'remove the stored upstream key').conflicts('apiKey'));
  withStoreOptions(update).action(async (name: string, opts) => {
    const changes = changesFrom(opts);
    if (opts.clearApiKey) changes.apiKey = '';
    const changed = Object.keys(changes) as (keyof ChannelChanges)[];
    if (changed.length === 0) throw new Error(`Nothing to change: give at least one of --type, --base-url, --api-key, --clear-api-key, --models, --priority, --weight, --alias, --context-window, --[no-]native-compaction, --timeout-ms, --default-max-tokens.`);
    await withStore(opts, async (_s, catalog) => {
      const channel = await findChannel(catalog, name);
      if (!channel) throw new Error(`No channel named "${name}"; add it with "compact-relay channels add --name ${name} …".`);
      warnIfDeclaredInConfig(channel);
      const { type, baseUrl, apiKey, models, priority, weight } = changes;
      await catalog.upsertChannel(patchedChannel(channel, { type, baseUrl, apiKey, models, priority, weight }, mergedOptions(channel.options, changes)), { keepStoredKey: apiKey === undefined });
    });
    console.error(`channel "${name}" updated: ${changed.map((k) => FIELD_LABELS[k]).join(', ')}${opts.clearApiKey ? ' (removed)' : ''}`);
  });
}

function registerTest(channels: Command): void {
  withStoreOptions(channels.command('test').description('check that the upstream answers with the channel\'s key (GET {base URL}/models)').argument('<name>')
    .option('--timeout-ms <ms>', 'how long to wait for the upstream (default 10000)', integerAtLeast(1))
    .option('--json', 'print the result as one JSON object'))
    .action(async (name: string, opts) => {
      const channel = await withStore(opts, (_s, catalog) => findChannel(catalog, name));
      if (!channel) throw new Error(`No channel named "${name}".`);
      if (channel.apiKeyUnreadable) throw new Error(`The upstream key of "${name}" was sealed under another server secret and cannot be read: restore COMPACT_RELAY_SECRET, or set the key again with "channels update ${name} --api-key …".`);
      const agent = new Agent({ connect: { timeout: 10_000 } });
      const result = await testChannel(channel, agent, opts.timeoutMs).finally(() => agent.close());
      if (!result.ok) process.exitCode = 1;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ channel: name, ...result }) + '\n');
        return;
      }
      if (!result.ok) {
        const hint = result.status === 404 ? checkBaseUrl(channel.baseUrl).warning : undefined;
        process.stdout.write(`channel "${name}": FAILED (${result.latencyMs} ms): ${result.error}\n${hint ? `hint: ${hint}\n` : ''}`);
        return;
      }
      process.stdout.write(`channel "${name}": ok, HTTP ${result.status} in ${result.latencyMs} ms, ${result.modelCount} model(s) listed\n`);
      if (result.missingModels.length > 0) process.stdout.write(`warning: the upstream does not list ${result.missingModels.join(', ')}, which this channel serves\n`);
    });
}

export function registerChannelCommands(program: Command): void {
  const channels = program.command('channels').description('upstream channels');
  registerAdd(channels);
  registerUpdate(channels);
  withStoreOptions(channels.command('list').description('list channels (keys are not shown)')).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listChannels());
    printTable(rows.map((c) => ({ name: c.name, type: c.type, base_url: c.baseUrl, models: c.models.join(','), priority: c.priority, weight: c.weight, enabled: c.enabled ? 'yes' : 'no', key: c.apiKeyUnreadable ? 'UNREADABLE' : c.apiKey ? 'set' : 'none', source: c.source })));
  });
  withStoreOptions(channels.command('remove').description('remove a channel').argument('<name>')).action(async (name: string, opts) => {
    const removed = await withStore(opts, (_s, c) => c.removeChannel(name));
    if (!removed) throw new Error(`No channel named "${name}".`);
    console.error(`channel "${name}" removed`);
  });
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    withStoreOptions(channels.command(verb).description(`${verb} a channel`).argument('<name>')).action(async (name: string, opts) => {
      const changed = await withStore(opts, (_s, c) => c.setChannelEnabled(name, enabled));
      if (!changed) throw new Error(`No channel named "${name}".`);
      console.error(`channel "${name}" ${verb}d`);
    });
  }
  registerTest(channels);
}
