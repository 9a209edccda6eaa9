// A Map with a size limit: least recently used entries are evicted first, so an in-memory table
// fed by client traffic stays within what the operator configured. (No LRU package is installed;
// a Map keeps insertion order, which is all an LRU needs.)

export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`BoundedMap needs a positive size, got ${maxEntries}`);
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marked as recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
