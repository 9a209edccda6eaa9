// Test rig: starts a real relay in-process on an ephemeral port with a temp data dir, adds the
// channels, a group and a key through the same store API the CLI uses, and tears it all down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay, type RunningRelay } from '../../src/app.ts';
import { loadConfig, type RelayConfig } from '../../src/config/config.ts';
import type { ChannelRecord } from '../../src/store/catalog-store.ts';
import pino from 'pino';
import { startUpstreamEmulator, type UpstreamEmulator, type UpstreamEmulatorOptions } from '../../src/emulator/index.ts';

export type TestChannel = Partial<Omit<ChannelRecord, 'id'>> & Pick<ChannelRecord, 'name' | 'baseUrl' | 'models'>;

export interface TestRelay {
  relay: RunningRelay;
  /** Base URL for SDK clients, ending in /v1. */
  baseURL: string;
  url: string;
  /** A key of group "default" (allowed every model). */
  key: string;
  dataDir: string;
  addChannel(channel: TestChannel): Promise<void>;
  addKey(name: string, group: string, models?: string[]): Promise<string>;
  /** Waits until the usage log has written at least `count` rows and returns the newest first. */
  usageRows(count?: number): Promise<any[]>;
  close(): Promise<void>;
}

export interface TestRelayOptions {
  channels?: TestChannel[];
  config?: Partial<RelayConfig>;
  env?: NodeJS.ProcessEnv;
  /** Where the relay logs (default: silent). */
  logger?: pino.Logger;
}

export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-test-'));
  const config: RelayConfig = { ...loadConfig({ port: 0, dataDir }, options.env ?? {}), logLevel: 'silent', catalogPollMs: 100, ...options.config };
  const relay = await startRelay(config, options.logger ?? pino({ level: 'silent' }));
  const store = relay.catalogStore;
  const addChannel = async (c: TestChannel) => {
    await store.upsertChannel({
      type: 'openai-chat',
      apiKey: '',
      priority: 0,
      weight: 1,
      enabled: true,
      options: {},
      source: 'test',
      ...c,
    });
    await relay.catalog.refresh();
  };
  const addKey = async (name: string, group: string, models?: string[]) => {
    if (models) await store.upsertGroup(group, models);
    const { secret } = await store.createKey(name, group);
    await relay.catalog.refresh();
    return secret;
  };
  await store.upsertGroup('default', ['*']);
  const key = await addKey('test-key', 'default');
  for (const c of options.channels ?? []) await addChannel(c);
  return {
    relay,
    url: relay.url,
    baseURL: `${relay.url}/v1`,
    key,
    dataDir,
    addChannel,
    addKey,
    async usageRows(count = 1) {
      const deadline = Date.now() + 5000;
      for (;;) {
        await relay.usageLog.flush();
        const rows = await relay.usageLog.query({ limit: 1000 });
        if (rows.length >= count || Date.now() > deadline) return rows;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A relay in front of one emulator: `gpt-4o-mini` on a Chat channel, `gpt-5.5` on a Responses channel. */
export interface ChatAndResponsesRig {
  upstream: UpstreamEmulator;
  relay: TestRelay;
  close(): Promise<void>;
}

export async function startChatAndResponsesRig(emulator: Omit<UpstreamEmulatorOptions, 'models'> = {}): Promise<ChatAndResponsesRig> {
  const upstream = await startUpstreamEmulator({ ...emulator, models: ['gpt-4o-mini', 'gpt-5.5'] });
  const relay = await startTestRelay({
    channels: [
      { name: 'chat', type: 'openai-chat', baseUrl: upstream.url, models: ['gpt-4o-mini'] },
      { name: 'resp', type: 'openai-responses', baseUrl: upstream.url, models: ['gpt-5.5'] },
    ],
  });
  return {
    upstream,
    relay,
    async close() {
      await relay.close();
      await upstream.close();
    },
  };
}
