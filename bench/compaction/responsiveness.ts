// Does the relay answer others while it compacts? Four ~2 MB Chat conversations are posted to
// `/compact/v1/chat/completions` at once while a probe in a worker thread (its own event loop, so a
// blocked relay cannot hide its stalls from it) times `/healthz` and a small plain chat request.
// The upstream emulator and the clients posting the conversations run in workers of their own
// (responsiveness-load.ts): only the relay's own work shares the relay's event loop.
import { Worker } from 'node:worker_threads';
import { startTestRelay } from '../../test/helpers/relay-harness.ts';
import type { LoadOptions } from './responsiveness-load.ts';

export interface Responsiveness {
  healthzP99: number;
  plainP99: number;
  samples: number;
  compactions: number;
  bytes: number;
  compactionMs: number[];
}

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, key, model } = workerData;
const healthz = [], plain = [];
let running = true;
parentPort.on('message', () => { running = false; });
const time = async (f) => { const t = performance.now(); try { await f(); } catch {} return performance.now() - t; };
(async () => {
  while (running) {
    healthz.push(await time(() => fetch(url + '/healthz').then((r) => r.text())));
    plain.push(await time(() => fetch(url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key }, body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'ping' }] }) }).then((r) => r.text())));
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage({ healthz, plain });
})();
`;

/** The next message a worker posts (or its error). */
function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    worker.once('error', fail);
    worker.once('message', (message: T) => {
      worker.off('error', fail);
      resolve(message);
    });
  });
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] : NaN;
};

export async function measureResponsiveness(options: { bytes?: number; concurrent?: number; log?: (m: string) => void } = {}): Promise<Responsiveness> {
  const concurrent = options.concurrent ?? 4;
  const loadWorker = (role: LoadOptions['role']) => new Worker(new URL('./responsiveness-load.ts', import.meta.url), { workerData: { role, bytes: options.bytes ?? 2_000_000, concurrent, model: 'resp-model' } satisfies LoadOptions });
  const upstream = loadWorker('upstream');
  const clients = loadWorker('clients');
  const upstreamUrl = (await nextMessage<{ url: string }>(upstream)).url;
  await nextMessage(clients);
  const relay = await startTestRelay({ channels: [{ name: 'resp', baseUrl: upstreamUrl, models: ['resp-model'] }] });
  await relay.relay.catalogStore.upsertGroup('default', ['*'], { compaction: { strategy: 'ledger' } });
  await relay.relay.catalog.refresh();
  try {
    const probe = new Worker(PROBE, { eval: true, workerData: { url: relay.url, key: relay.key, model: 'resp-model' } });
    const done = new Promise<{ healthz: number[]; plain: number[] }>((resolve) => probe.once('message', resolve));
    await new Promise((r) => setTimeout(r, 200));
    clients.postMessage({ relayUrl: relay.url, key: relay.key });
    const { compactionMs, bytes } = await nextMessage<{ compactionMs: number[]; bytes: number }>(clients);
    probe.postMessage('stop');
    const samples = await done;
    await probe.terminate();
    const result = { healthzP99: p99(samples.healthz), plainP99: p99(samples.plain), samples: samples.healthz.length, compactions: concurrent, bytes, compactionMs };
    options.log?.(`  responsiveness: /healthz p99 ${result.healthzP99.toFixed(0)} ms, plain p99 ${result.plainP99.toFixed(0)} ms over ${result.samples} samples; compactions ${compactionMs.map((m) => m.toFixed(0)).join(', ')} ms`);
    return result;
  } finally {
    await relay.close();
    upstream.postMessage('close');
    await nextMessage(upstream);
    await Promise.all([upstream.terminate(), clients.terminate()]);
  }
}
