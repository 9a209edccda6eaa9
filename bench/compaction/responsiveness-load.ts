// The load side of the responsiveness measurement, in a worker thread of its own: the upstream
// emulator and the clients posting the big compactions run here, so that their JSON work is not
// counted as the relay's (in production neither shares the relay's event loop).
// Protocol: posts { url } once the emulator listens; on { relayUrl, key } posts the conversations
// at once and answers { compactionMs, bytes } after closing the emulator.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeChatMessages } from '../../src/conversation/chat.ts';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { generateSession } from './generator.ts';

export interface LoadOptions {
  bytes: number;
  concurrent: number;
  model: string;
}

const { bytes, concurrent, model } = workerData as LoadOptions;
const upstream = await startUpstreamEmulator({ mode: 'chat-only', recordLimit: 0 });
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
  await upstream.close();
  parentPort?.postMessage({ compactionMs, bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length) });
});
parentPort?.postMessage({ url: upstream.url });
