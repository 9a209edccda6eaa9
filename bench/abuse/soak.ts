// The soak: steady mixed traffic (whole and streamed, Chat and Responses) near the relay's
// capacity for a set time while the network in front of the upstream injects faults into a share
// of the calls. Samples memory and file descriptors, counts relay-made 5xx, and compares the
// answers received with the usage rows written.
import { bearer, call, isRelayMade5xx } from './http.ts';
import type { FaultProxy } from './fault-proxy.ts';
import type { RelayProcess } from './relay-process.ts';

export interface SoakReport {
  seconds: number;
  faultRate: number;
  requests: number;
  answered: number;
  statuses: Record<string, number>;
  relayMade5xx: number;
  faultsInjected: Record<string, number>;
  rss: { start: number; end: number; peak: number; growthPct: number };
  fds: { start: number; end: number; peak: number };
  usageRows: number;
  rowsLost: number;
  examples: string[];
}

export async function soak(relay: RelayProcess, proxy: FaultProxy, key: string, keyName: string, models: { chat: string; responses: string }, seconds: number, faultRate: number): Promise<SoakReport> {
  const since = new Date(Date.now() - 1_000).toISOString();
  proxy.faultRate = faultRate;
  const injectedBefore = { ...proxy.injected };
  const statuses: Record<string, number> = {};
  const examples: string[] = [];
  let requests = 0;
  let answered = 0;
  let relayMade5xx = 0;
  // Warm up, then take the baseline so start-up allocation does not count as growth.
  for (let i = 0; i < 50; i++) await call(relay.url + '/v1/chat/completions', { headers: bearer(key), body: JSON.stringify({ model: models.chat, messages: [{ role: 'user', content: 'warm up' }] }) });
  // The baseline is taken once a tenth of the soak has run: pools, caches and the JIT are warm by then,
  // so what grows after it is growth, not start-up.
  const rss = { start: 0, end: 0, peak: relay.rssMb(), growthPct: 0 };
  const fds = { start: 0, end: 0, peak: relay.openFds() };
  const soakStarted = Date.now();
  const sampler = setInterval(() => {
    const nowRss = relay.rssMb();
    const nowFds = relay.openFds();
    rss.peak = Math.max(rss.peak, nowRss);
    fds.peak = Math.max(fds.peak, nowFds);
    if (rss.start === 0 && Date.now() - soakStarted >= seconds * 100) {
      rss.start = nowRss;
      fds.start = nowFds;
    }
  }, 1_000);
  const bodies = [
    () => ['/v1/chat/completions', { model: models.chat, messages: [{ role: 'user', content: `soak ${requests}` }], max_tokens: 32 }],
    () => ['/v1/chat/completions', { model: models.chat, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `stream ${requests}` }] }],
    () => ['/v1/responses', { model: models.responses, input: `soak ${requests}` }],
    () => ['/v1/responses', { model: models.responses, input: `stream ${requests}`, stream: true }],
  ] as const;
  const until = Date.now() + seconds * 1_000;
  const worker = async () => {
    while (Date.now() < until && !relay.exit) {
      const [path, body] = bodies[requests % bodies.length]();
      requests++;
      const result = await call(relay.url + path, { headers: bearer(key), body: JSON.stringify(body), timeoutMs: 60_000 });
      if (result.status > 0) answered++;
      statuses[String(result.status)] = (statuses[String(result.status)] ?? 0) + 1;
      if (isRelayMade5xx(result)) {
        relayMade5xx++;
        if (examples.length < 6) examples.push(`${path} → ${result.status} ${result.text.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  clearInterval(sampler);
  proxy.faultRate = 0;
  if (rss.start === 0) {
    rss.start = rss.peak;
    fds.start = fds.peak;
  }
  await new Promise((r) => setTimeout(r, 3_000));
  rss.end = relay.rssMb();
  rss.growthPct = rss.start > 0 ? ((rss.end - rss.start) / rss.start) * 100 : 0;
  fds.end = relay.openFds();
  const summary = await relay.admin('GET', `/usage/summary?key=${encodeURIComponent(keyName)}&since=${encodeURIComponent(since)}`);
  const usageRows = Number(summary?.totals?.requests ?? 0);
  const warmUp = 50;
  const faultsInjected: Record<string, number> = {};
  for (const [kind, n] of Object.entries(proxy.injected)) faultsInjected[kind] = n - (injectedBefore[kind] ?? 0);
  return {
    seconds, faultRate, requests, answered, statuses, relayMade5xx, faultsInjected, rss, fds,
    usageRows: usageRows - warmUp,
    rowsLost: Math.max(0, answered - (usageRows - warmUp)),
    examples,
  };
}
