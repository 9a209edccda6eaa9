// Streaming time-to-first-byte client for the overhead benchmark: sends streaming chat requests one
// at a time over one keep-alive connection and prints the time to the first body byte of each.
import { Agent, request as httpRequest } from 'node:http';

export interface TtfbResult {
  samples: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  /** Time to the response headers, p50. */
  headers_p50_ms: number;
}

const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [
    { role: 'system', content: 'You are a concise assistant that answers questions about the repository.' },
    { role: 'user', content: 'Summarize what the function parseConfig in src/config.ts does, in two sentences.' },
  ],
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function once(agent: Agent, url: URL, headers: Record<string, string>): Promise<{ headers: number; firstByte: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let headersAt = 0;
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), ...headers } }, (res) => {
      headersAt = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode} from ${url}`));
      let first = 0;
      res.on('data', () => {
        if (first === 0) first = Number(process.hrtime.bigint() - started) / 1e6;
      });
      res.on('end', () => resolve({ headers: headersAt, firstByte: first }));
      res.on('error', reject);
    });
    req.setNoDelay(true);
    req.on('error', reject);
    req.end(BODY);
  });
}

export async function measureTtfb(url: string, headers: Record<string, string>, samples: number, warmup: number): Promise<TtfbResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  for (let i = 0; i < warmup; i++) await once(agent, target, headers);
  const first: number[] = [];
  const head: number[] = [];
  for (let i = 0; i < samples; i++) {
    const r = await once(agent, target, headers);
    first.push(r.firstByte);
    head.push(r.headers);
  }
  agent.destroy();
  first.sort((a, b) => a - b);
  head.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    samples,
    p50_ms: round(percentile(first, 50)),
    p90_ms: round(percentile(first, 90)),
    p99_ms: round(percentile(first, 99)),
    mean_ms: round(first.reduce((a, b) => a + b, 0) / first.length),
    headers_p50_ms: round(percentile(head, 50)),
  };
}

if (import.meta.main) {
  const [url, headersJson, samples, warmup] = process.argv.slice(2);
  const result = await measureTtfb(url, JSON.parse(headersJson ?? '{}'), Number(samples ?? 200), Number(warmup ?? 50));
  console.log('BENCH_RESULT ' + JSON.stringify(result));
}
