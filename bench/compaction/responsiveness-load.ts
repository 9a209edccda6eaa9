// The load side of the responsiveness measurement, in worker threads of their own so that their
// JSON work is not counted as the relay's (in production neither shares the relay's event loop):
// role `upstream` runs the upstream emulator and posts { url }; role `clients` builds the big
// conversations, posts { ready: true }, and on { relayUrl, key } posts them all at once to
// `/compact/v1/chat/completions` and answers { compactionMs, bytes }. Each role has its own thread,
// so the emulator's answers to the probe's plain requests do not wait behind the clients' uploads.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { generateSession } from './generator.ts';

export interface LoadOptions {
  role: 'upstream' | 'clients';
  bytes: number;
  concurrent: number;
  model: string;
}

const { role, bytes, concurrent, model } = workerData as LoadOptions;

if (role === 'upstream') {
  const upstream = await startUpstreamEmulator({ mode: 'chat-only', recordLimit: 0 });
  parentPort?.once('message', () => void upstream.close().then(() => parentPort?.postMessage({ closed: true })));
  parentPort?.postMessage({ url: upstream.url });
} else {
  const bodies: string[] = [];
  for (let i = 0; i < concurrent; i++) {
    // About 3.05 bytes of Chat JSON per generated token: ~655k tokens make 2 MB.
    const session = generateSession({ seed: 900 + i, tokens: Math.round(bytes / 3.05) });
    bodies.push(JSON.stringify({ model, max_tokens: 8, messages: encodeChatMessages(session.conversation) }));
  }
  parentPort?.once('message', async ({ relayUrl, key }: { relayUrl: string; key: string }) => {
    const compactionMs = await Promise.all(
      bodies.map(async (body) => {
        const t = performance.now();
        const res = await fetch(`${relayUrl}/compact/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
        await res.text();
        return performance.now() - t;
      }),
    );
    parentPort?.postMessage({ compactionMs, bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length) });
  });
  parentPort?.postMessage({ ready: true });
}
