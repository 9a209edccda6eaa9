// The usage log keeps every row it accepted: a row the store refuses no longer holds back the rows
// queued behind it (it is handed over to be logged whole), and while the store itself is failing
// every row waits in the queue for the next flush.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/database.ts';
import { UsageLog, type UsageRow } from '../../src/store/usage-log.ts';

const row = (id: string, extra: Partial<UsageRow> = {}): UsageRow => ({ ts: new Date().toISOString(), request_id: id, endpoint: '/v1/chat/completions', status: 200, key_name: 'k', streamed: 0, input_tokens: 1, output_tokens: 1, cached_tokens: 0, reasoning_tokens: 0, latency_ms: 1, ...extra }) as UsageRow;

test('a row the store refuses is handed over, and the rows around it are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-log-'));
  const store = await openStore({ dataDir: dir });
  const refused: UsageRow[] = [];
  const log = new UsageLog(store.db, { sqlite: store.sqlite, intervalMs: 3_600_000, onRefused: (_err, r) => refused.push(r) });
  try {
    log.record(row('a'));
    log.record(row('poison', { status: null as unknown as number }));
    log.record(row('b'));
    await log.flush();
    assert.equal(log.pending, 0, 'nothing left waiting behind the refused row');
    assert.deepEqual((await log.query({ limit: 10 })).map((r) => r.request_id).sort(), ['a', 'b']);
    assert.deepEqual(refused.map((r) => r.request_id), ['poison']);
  } finally {
    await log.close().catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('while the store is failing, every row stays queued for the next flush', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-log-'));
  const store = await openStore({ dataDir: dir });
  let failures = 0;
  const log = new UsageLog(store.db, { sqlite: store.sqlite, intervalMs: 3_600_000, onError: () => failures++ });
  try {
    store.sqlite!.exec('ALTER TABLE usage RENAME TO usage_away');
    log.record(row('c'));
    log.record(row('d'));
    await log.flush();
    assert.equal(log.pending, 2, 'both rows kept');
    assert.equal(failures, 1);
  } finally {
    store.sqlite!.exec('ALTER TABLE usage_away RENAME TO usage');
    await log.flush();
    assert.equal(log.pending, 0, 'written once the store is back');
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
