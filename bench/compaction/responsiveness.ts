// Does the relay answer others while it compacts? Four ~2 MB Chat conversations are posted to
// `/compact/v1/chat/completions` at once while a probe times `/healthz` and a small plain chat
// request, one after the other. The clients, the upstream emulator and the probe run in child
// processes (responsiveness-load.ts): only the relay's own work shares the relay's process. The
// clients, who build and upload 8 MB of JSON, run at a lower CPU priority (nice 10), as they would
// run on other machines in production; on a small machine they would otherwise take the cores the
// relay needs. The emulator answers the probe's plain requests, so it keeps the default priority.
// The relay's own event-loop delay is recorded beside the probe's timings.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestRelay } from '../../test/helpers/relay-harness.ts';
import type { LoadOptions } from './responsiveness-load.ts';

export interface Responsiveness {
  healthzP99: number;
  plainP99: number;
  samples: number;
  compactions: number;
  bytes: number;
  compactionMs: number[];
  /** The relay's event-loop delay while the compactions ran (ms): its 99th percentile and its maximum. */
  eventLoopDelayP99: number;
  eventLoopDelayMax: number;
  /** The niceness the clients ran at (0 when lowering it failed). */
  loadNice: number;
}

/** Niceness of the clients: below the relay, which runs at the default priority. */
const LOAD_NICE = 10;

/** The next message a child process sends (or its exit). */
function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`responsiveness load process exited with ${code} before answering`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.off('exit', exited);
      resolve(message as T);
    });
  });
}

function startLoad(options: LoadOptions, nice: number): { child: ChildProcess; nice: number } {
  const child = fork(new URL('./responsiveness-load.ts', import.meta.url), [], { env: { ...process.env, RESPONSIVENESS_LOAD: JSON.stringify(options) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  if (nice === 0) return { child, nice };
  try {
    setPriority(child.pid!, nice);
    return { child, nice };
  } catch {
    return { child, nice: 0 };
  }
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] : NaN;
};

export async function measureResponsiveness(options: { bytes?: number; concurrent?: number; log?: (m: string) => void } = {}): Promise<Responsiveness> {
  const concurrent = options.concurrent ?? 4;
  const load = (role: LoadOptions['role'], nice: number) => startLoad({ role, bytes: options.bytes ?? 2_000_000, concurrent, model: 'resp-model' }, nice);
  const upstream = load('upstream', 0);
  const clients = load('clients', LOAD_NICE);
  const probe = load('probe', 0);
  const children = [upstream.child, clients.child, probe.child];
  try {
    const upstreamUrl = (await nextMessage<{ url: string }>(upstream.child)).url;
    await nextMessage(clients.child);
    const relay = await startTestRelay({ channels: [{ name: 'resp', baseUrl: upstreamUrl, models: ['resp-model'] }] });
    try {
      await relay.relay.catalogStore.upsertGroup('default', ['*'], { compaction: { strategy: 'ledger' } });
      await relay.relay.catalog.refresh();
      const started = nextMessage(probe.child);
      probe.child.send({ relayUrl: relay.url, key: relay.key });
      await started;
      await new Promise((r) => setTimeout(r, 200));
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const compacted = nextMessage<{ compactionMs: number[]; bytes: number }>(clients.child);
      clients.child.send({ relayUrl: relay.url, key: relay.key });
      const { compactionMs, bytes } = await compacted;
      delay.disable();
      const samplesDone = nextMessage<{ healthz: number[]; plain: number[] }>(probe.child);
      probe.child.send('stop');
      const samples = await samplesDone;
      const result: Responsiveness = {
        healthzP99: p99(samples.healthz),
        plainP99: p99(samples.plain),
        samples: samples.healthz.length,
        compactions: concurrent,
        bytes,
        compactionMs,
        eventLoopDelayP99: delay.percentile(99) / 1e6,
        eventLoopDelayMax: delay.max / 1e6,
        loadNice: clients.nice,
      };
      options.log?.(`  responsiveness: /healthz p99 ${result.healthzP99.toFixed(0)} ms, plain p99 ${result.plainP99.toFixed(0)} ms over ${result.samples} samples; relay event-loop delay p99 ${result.eventLoopDelayP99.toFixed(0)} ms, max ${result.eventLoopDelayMax.toFixed(0)} ms; compactions ${compactionMs.map((m) => m.toFixed(0)).join(', ')} ms`);
      return result;
    } finally {
      await relay.close();
    }
  } finally {
    if (upstream.child.connected) {
      const closed = nextMessage(upstream.child).catch(() => undefined);
      upstream.child.send('close');
      await closed;
    }
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}
