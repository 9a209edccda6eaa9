// Does the relay answer others while it compacts? Four ~2 MB Chat conversations are posted to
// `/compact/v1/chat/completions` at once while a probe in a worker thread (its own event loop, so a
// blocked relay cannot hide its stalls from it) times `/healthz` and a small plain chat request.
import { Worker } from 'node:worker_threads';
import { adapterFor } from '../../src/adapters/registry.ts';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay } from '../../test/helpers/relay-harness.ts';
import { generateSession } from './generator.ts';

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

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] : NaN;
};

export async function measureResponsiveness(options: { bytes?: number; concurrent?: number; log?: (m: string) => void } = {}): Promise<Responsiveness> {
  const concurrent = options.concurrent ?? 4;
  const upstream = await startUpstreamEmulator({ mode: 'chat-only', recordLimit: 0 });
  const relay = await startTestRelay({ channels: [{ name: 'resp', baseUrl: upstream.url, models: ['resp-model'] }] });
  await relay.relay.catalogStore.upsertGroup('default', ['*'], { compaction: { strategy: 'ledger' } });
  await relay.relay.catalog.refresh();
  try {
    const bodies: string[] = [];
    for (let i = 0; i < concurrent; i++) {
      // About 3.05 bytes of Chat JSON per generated token: ~655k tokens make 2 MB.
      const session = generateSession({ seed: 900 + i, tokens: Math.round((options.bytes ?? 2_000_000) / 3.05) });
      bodies.push(JSON.stringify({ model: 'resp-model', max_tokens: 8, ...adapterFor('chat').encodeConversation(session.conversation) }));
    }
    const probe = new Worker(PROBE, { eval: true, workerData: { url: relay.url, key: relay.key, model: 'resp-model' } });
    const done = new Promise<{ healthz: number[]; plain: number[] }>((resolve) => probe.once('message', resolve));
    await new Promise((r) => setTimeout(r, 200));
    const compactionMs = await Promise.all(bodies.map(async (body) => {
      const t = performance.now();
      const res = await fetch(`${relay.url}/compact/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${relay.key}` }, body });
      await res.text();
      return performance.now() - t;
    }));
    probe.postMessage('stop');
    const samples = await done;
    await probe.terminate();
    const result = { healthzP99: p99(samples.healthz), plainP99: p99(samples.plain), samples: samples.healthz.length, compactions: concurrent, bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length), compactionMs };
    options.log?.(`  responsiveness: /healthz p99 ${result.healthzP99.toFixed(0)} ms, plain p99 ${result.plainP99.toFixed(0)} ms over ${result.samples} samples; compactions ${compactionMs.map((m) => m.toFixed(0)).join(', ')} ms`);
    return result;
  } finally {
    await relay.close();
    await upstream.close();
  }
}
