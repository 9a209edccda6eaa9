// `compact-relay dev-upstream`: runs the upstream emulator alone, for trying the relay without a
// real provider and for benchmarks. Loopback by default.
import type { Command } from 'commander';
import { startUpstreamEmulator, type Fault } from '../emulator/index.ts';
import { integerAtLeast } from './option-parsers.ts';

/** `status:503`, `reset`, `hang`, `truncate:3`, `malformed`, `slow:200` → a fault. */
export function parseFault(spec: string): Fault {
  const [kind, arg] = spec.split(':');
  const n = arg === undefined ? undefined : Number(arg);
  if (kind === 'status' && n && n >= 400 && n < 600) return { kind: 'status', status: n };
  if (kind === 'reset') return { kind: 'reset' };
  if (kind === 'hang') return { kind: 'hang' };
  if (kind === 'truncate') return { kind: 'truncate-stream', afterEvents: n ?? 2 };
  if (kind === 'malformed') return { kind: 'malformed-stream' };
  if (kind === 'slow' && n && n > 0) return { kind: 'slow', ms: n };
  throw new Error(`--fault must be status:CODE, reset, hang, truncate[:EVENTS], malformed or slow:MS; got "${spec}"`);
}

export function registerDevUpstreamCommand(program: Command): void {
  program.command('dev-upstream')
    .description('run an emulated OpenAI-compatible upstream (for tests and benchmarks)')
    .option('--port <port>', 'port to listen on (0: any free port)', integerAtLeast(0), 8081)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--api-key <key>', 'require this Bearer key')
    .option('--mode <mode>', 'full | chat-only | responses-only | anthropic', 'full')
    .option('--native-compaction', 'serve /v1/responses/compact and compaction_trigger like OpenAI')
    .option('--latency-ms <ms>', 'delay before each answer', integerAtLeast(0), 0)
    .option('--models <list>', 'comma-separated models it serves (default: any)')
    .option('--no-record', 'do not keep received requests (for benchmarks)')
    .option('--fault <fault>', 'inject a fault into every model request: status:CODE | reset | hang | truncate[:EVENTS] | malformed | slow:MS (change it at run time with POST /__emulator/fault)')
    .action(async (opts) => {
      if (!['full', 'chat-only', 'responses-only', 'anthropic'].includes(opts.mode)) throw new Error(`--mode must be full, chat-only, responses-only or anthropic; got "${opts.mode}"`);
      const emulator = await startUpstreamEmulator({
        port: opts.port,
        host: opts.host,
        apiKey: opts.apiKey,
        mode: opts.mode,
        nativeCompaction: opts.nativeCompaction === true,
        latencyMs: opts.latencyMs,
        models: opts.models ? String(opts.models).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
        recordLimit: opts.record === false ? 0 : 1000,
      });
      if (opts.fault) emulator.setFault(parseFault(String(opts.fault)));
      console.log(`upstream emulator listening on ${emulator.url} (mode ${opts.mode})`);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
