// `compact-relay dev-upstream`: runs the upstream emulator alone, for trying the relay without a
// real provider and for benchmarks. Loopback by default.
import type { Command } from 'commander';
import { startUpstreamEmulator } from '../emulator/index.ts';

export function registerDevUpstreamCommand(program: Command): void {
  program.command('dev-upstream')
    .description('run an emulated OpenAI-compatible upstream (for tests and benchmarks)')
    .option('--port <port>', 'port to listen on', '8081')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--api-key <key>', 'require this Bearer key')
    .option('--mode <mode>', 'full | chat-only | responses-only', 'full')
    .option('--native-compaction', 'serve /v1/responses/compact and compaction_trigger like OpenAI')
    .option('--latency-ms <ms>', 'delay before each answer', '0')
    .option('--models <list>', 'comma-separated models it serves (default: any)')
    .option('--no-record', 'do not keep received requests (for benchmarks)')
    .action(async (opts) => {
      if (!['full', 'chat-only', 'responses-only'].includes(opts.mode)) throw new Error(`--mode must be full, chat-only or responses-only; got "${opts.mode}"`);
      const emulator = await startUpstreamEmulator({
        port: Number(opts.port),
        host: opts.host,
        apiKey: opts.apiKey,
        mode: opts.mode,
        nativeCompaction: opts.nativeCompaction === true,
        latencyMs: Number(opts.latencyMs),
        models: opts.models ? String(opts.models).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
        recordLimit: opts.record === false ? 0 : 1000,
      });
      console.log(`upstream emulator listening on ${emulator.url} (mode ${opts.mode})`);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
