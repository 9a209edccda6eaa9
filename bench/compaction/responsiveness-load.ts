// The load side of the responsiveness measurement, in child processes of their own so that their
// JSON work is not counted as the relay's (in production neither shares the relay's machine, let
// alone its event loop). Role `upstream` runs the upstream emulator and sends { url }; role
// `clients` builds the big conversations, sends { ready: true }, and on { relayUrl, key } posts them
// all at once to `/compact/v1/chat/completions` and answers { compactionMs, bytes }; role `probe`
// times `/healthz` and a small plain chat request one after the other until told to stop, then
// sends { healthz, plain }. Each role is its own process: the emulator's answers to the probe's
// plain requests do not wait behind the clients' uploads, and a blocked relay cannot hide its
// stalls from the probe.
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { generateSession } from './generator.ts';

export interface LoadOptions {
  role: 'upstream' | 'clients' | 'probe';
  bytes: number;
  concurrent: number;
  model: string;
}

const send = (message: unknown) => process.send?.(message);
const once = <T>() => new Promise<T>((resolve) => process.once('message', (m) => resolve(m as T)));
const { role, bytes, concurrent, model } = JSON.parse(process.env.RESPONSIVENESS_LOAD ?? '{}') as LoadOptions;

if (role === 'upstream') {
  const upstream = await startUpstreamEmulator({ mode: 'chat-only', recordLimit: 0 });
  send({ url: upstream.url });
  await once();
  await upstream.close();
  send({ closed: true });
} else if (role === 'clients') {
  const bodies: string[] = [];
  for (let i = 0; i < concurrent; i++) {
    // About 3.05 bytes of Chat JSON per generated token: ~655k tokens make 2 MB.
    const session = generateSession({ seed: 900 + i, tokens: Math.round(bytes / 3.05) });
    bodies.push(JSON.stringify({ model, max_tokens: 8, messages: encodeChatMessages(session.conversation) }));
  }
  send({ ready: true });
  const { relayUrl, key } = await once<{ relayUrl: string; key: string }>();
  const compactionMs = await Promise.all(
    bodies.map(async (body) => {
      const t = performance.now();
      const res = await fetch(`${relayUrl}/compact/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
      await res.text();
      return performance.now() - t;
    }),
  );
  send({ compactionMs, bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length) });
} else {
  const { relayUrl, key } = await once<{ relayUrl: string; key: string }>();
  const healthz: number[] = [];
  const plain: number[] = [];
  let running = true;
  process.once('message', () => (running = false));
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f().catch(() => undefined);
    return performance.now() - t;
  };
  send({ started: true });
  while (running) {
    healthz.push(await time(() => fetch(`${relayUrl}/healthz`).then((r) => r.text())));
    plain.push(await time(() => fetch(`${relayUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'ping' }] }) }).then((r) => r.text())));
    await new Promise((r) => setTimeout(r, 10));
  }
  send({ healthz, plain });
}
// The IPC channel keeps the process alive; each role is done once it has answered.
process.disconnect?.();
