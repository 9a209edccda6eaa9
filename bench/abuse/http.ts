// Small HTTP helpers for the abuse suite: a JSON call that never throws (a transport failure is
// status 0), an OpenAI error-shape check, and a pool that runs tasks with bounded concurrency.
import { request } from 'undici';

export interface CallResult {
  status: number;
  text: string;
  json?: any;
  headers: Record<string, string | string[] | undefined>;
}

export async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<CallResult> {
  try {
    const response = await request(url, {
      method: (init.method ?? (init.body === undefined ? 'GET' : 'POST')) as 'GET',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.body,
      headersTimeout: init.timeoutMs ?? 30_000,
      bodyTimeout: init.timeoutMs ?? 30_000,
    });
    const text = await response.body.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, text, json, headers: response.headers };
  } catch (err) {
    return { status: 0, text: (err as Error).message, headers: {} };
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** True for `{"error":{"message":string,"type","code","param"}}`. */
export function isOpenAIError(json: any): boolean {
  const e = json?.error;
  return typeof e?.message === 'string' && 'type' in e && 'code' in e && 'param' in e;
}

/** A relay-made 5xx: a 5xx whose error does not name the upstream (or any 500). */
export function isRelayMade5xx(result: CallResult): boolean {
  if (result.status < 500) return false;
  if (result.status === 500) return true;
  const type = result.json?.error?.type;
  return !(type === 'upstream_error' || type === 'timeout_error' || (result.status === 503 && type === 'server_error'));
}

/** Runs `count` tasks, at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
