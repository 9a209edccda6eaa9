// What the relay keeps of the Responses answers it writes itself (those translated from a
// Chat-only or Anthropic upstream, which keep no state): per API key, each response's new input
// and its output items, expiring after a TTL and bounded per key and in all. In memory, or in
// Redis when the relay shares state, so every instance resolves what any of them served.
import type { Redis } from 'ioredis';
import type { SharedState } from './shared-state.ts';

export interface StoredResponse {
  id: string;
  /** The response this one continued from, if any. */
  previousResponseId?: string;
  /** The input items this turn added (references already resolved). */
  input: unknown[];
  output: unknown[];
}

export interface ResponseStore {
  save(scope: string, response: StoredResponse): Promise<void>;
  response(scope: string, id: string): Promise<StoredResponse | undefined>;
  /** An item of a stored response (input or output) by its `id`. */
  item(scope: string, itemId: string): Promise<unknown>;
}

export interface ResponseStoreLimits {
  ttlSec: number;
  /** Responses kept per key; the oldest go first. */
  maxResponsesPerKey: number;
  /** Bytes kept per key (both stores; a larger answer is not kept). */
  maxBytesPerKey: number;
  /** Memory store only: bytes kept in all (Redis is bounded per key and by its own maxmemory). */
  maxBytes: number;
}

export const DEFAULT_RESPONSE_STORE_LIMITS: ResponseStoreLimits = {
  ttlSec: 24 * 3600,
  maxResponsesPerKey: 1000,
  maxBytesPerKey: 16 * 1024 * 1024,
  maxBytes: 128 * 1024 * 1024,
};

/** Ids of the items of a response that can be referenced later. */
function itemIdsOf(response: StoredResponse): string[] {
  const ids: string[] = [];
  for (const item of [...response.input, ...response.output]) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id) ids.push(id);
  }
  return ids;
}

interface MemoryEntry {
  response: StoredResponse;
  bytes: number;
  expires: number;
}

interface MemoryScope {
  /** Response ids, oldest first. */
  responses: Map<string, MemoryEntry>;
  /** Item id → the item and the response that holds it. */
  items: Map<string, { item: unknown; responseId: string }>;
  bytes: number;
}

export class MemoryResponseStore implements ResponseStore {
  private readonly limits: ResponseStoreLimits;
  private readonly scopes = new Map<string, MemoryScope>();
  /** Every stored response as `scope\0id`, oldest first, for the global bound. */
  private readonly order = new Map<string, number>();
  private bytes = 0;

  constructor(limits: ResponseStoreLimits = DEFAULT_RESPONSE_STORE_LIMITS) {
    this.limits = limits;
  }

  async save(scope: string, response: StoredResponse): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(response));
    if (bytes > this.limits.maxBytesPerKey) return;
    let s = this.scopes.get(scope);
    if (!s) {
      s = { responses: new Map(), items: new Map(), bytes: 0 };
      this.scopes.set(scope, s);
    }
    s.responses.set(response.id, { response, bytes, expires: Date.now() + this.limits.ttlSec * 1000 });
    for (const item of [...response.input, ...response.output]) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && id) s.items.set(id, { item, responseId: response.id });
    }
    s.bytes += bytes;
    this.bytes += bytes;
    this.order.set(`${scope}\0${response.id}`, bytes);
    while (s.responses.size > this.limits.maxResponsesPerKey || s.bytes > this.limits.maxBytesPerKey) this.evict(scope, s.responses.keys().next().value as string);
    while (this.bytes > this.limits.maxBytes && this.order.size > 0) {
      const oldest = this.order.keys().next().value as string;
      const at = oldest.indexOf('\0');
      this.evict(oldest.slice(0, at), oldest.slice(at + 1));
    }
  }

  private evict(scope: string, id: string): void {
    const s = this.scopes.get(scope);
    const entry = s?.responses.get(id);
    this.order.delete(`${scope}\0${id}`);
    if (!s || !entry) return;
    s.responses.delete(id);
    for (const itemId of itemIdsOf(entry.response)) if (s.items.get(itemId)?.responseId === id) s.items.delete(itemId);
    s.bytes -= entry.bytes;
    this.bytes -= entry.bytes;
    if (s.responses.size === 0) this.scopes.delete(scope);
  }

  async response(scope: string, id: string): Promise<StoredResponse | undefined> {
    const entry = this.scopes.get(scope)?.responses.get(id);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.evict(scope, id);
      return undefined;
    }
    return entry.response;
  }

  async item(scope: string, itemId: string): Promise<unknown> {
    const found = this.scopes.get(scope)?.items.get(itemId);
    if (!found || !(await this.response(scope, found.responseId))) return undefined;
    return found.item;
  }
}

/**
 * The same in Redis: one key per response and per item, each with the TTL; per API key, a list
 * (oldest first) bounds their number and a byte counter with a hash of sizes bounds their bytes.
 */
export class RedisResponseStore implements ResponseStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly limits: ResponseStoreLimits;

  constructor(redis: Redis, prefix: string, limits: ResponseStoreLimits = DEFAULT_RESPONSE_STORE_LIMITS) {
    this.redis = redis;
    this.prefix = prefix;
    this.limits = limits;
  }

  private responseKey = (scope: string, id: string) => `${this.prefix}resp:${scope}:${id}`;
  private itemKey = (scope: string, id: string) => `${this.prefix}ritem:${scope}:${id}`;
  private listKey = (scope: string) => `${this.prefix}resplist:${scope}`;
  private bytesKey = (scope: string) => `${this.prefix}respbytes:${scope}`;
  private sizesKey = (scope: string) => `${this.prefix}respsizes:${scope}`;

  async save(scope: string, response: StoredResponse): Promise<void> {
    const ttl = this.limits.ttlSec;
    const text = JSON.stringify(response);
    // Items are stored again on their own: an answer costs its bytes twice.
    const bytes = 2 * Buffer.byteLength(text);
    if (bytes > this.limits.maxBytesPerKey) return;
    const multi = this.redis.multi().set(this.responseKey(scope, response.id), text, 'EX', ttl);
    for (const item of [...response.input, ...response.output]) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && id) multi.set(this.itemKey(scope, id), JSON.stringify(item), 'EX', ttl);
    }
    multi.hset(this.sizesKey(scope), response.id, String(bytes)).expire(this.sizesKey(scope), ttl);
    // The list's length and the byte total come back from the same round trip that wrote them.
    multi.rpush(this.listKey(scope), response.id).incrby(this.bytesKey(scope), bytes);
    multi.expire(this.listKey(scope), ttl).expire(this.bytesKey(scope), ttl);
    const results = (await multi.exec()) ?? [];
    let count = Number(results.at(-4)?.[1] ?? 0);
    let held = Number(results.at(-3)?.[1] ?? 0);
    while (count > this.limits.maxResponsesPerKey || held > this.limits.maxBytesPerKey) {
      const old = await this.redis.lpop(this.listKey(scope));
      if (!old) break;
      count--;
      held = await this.evict(scope, old);
    }
  }

  /** Deletes an answer and its items; returns the key's byte total after it. */
  private async evict(scope: string, id: string): Promise<number> {
    const [stored, size] = await Promise.all([this.response(scope, id), this.redis.hget(this.sizesKey(scope), id)]);
    const keys = [this.responseKey(scope, id), ...(stored ? itemIdsOf(stored).map((itemId) => this.itemKey(scope, itemId)) : [])];
    const results = (await this.redis.multi().del(...keys).hdel(this.sizesKey(scope), id).decrby(this.bytesKey(scope), Number(size ?? 0)).exec()) ?? [];
    return Number(results.at(-1)?.[1] ?? 0);
  }

  async response(scope: string, id: string): Promise<StoredResponse | undefined> {
    const raw = await this.redis.get(this.responseKey(scope, id));
    return raw ? (JSON.parse(raw) as StoredResponse) : undefined;
  }

  async item(scope: string, itemId: string): Promise<unknown> {
    const raw = await this.redis.get(this.itemKey(scope, itemId));
    return raw ? JSON.parse(raw) : undefined;
  }
}

/** In Redis when the relay shares its state there (so every instance sees every answer), else in memory. */
export function createResponseStore(state: SharedState, limits: ResponseStoreLimits = DEFAULT_RESPONSE_STORE_LIMITS): ResponseStore {
  const shared = state as Partial<{ redis: Redis; prefix: string }>;
  if (state.kind === 'redis' && shared.redis) return new RedisResponseStore(shared.redis, shared.prefix ?? 'cr:', limits);
  return new MemoryResponseStore(limits);
}
