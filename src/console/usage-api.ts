// Admin API for reading: usage rows (filtered, newest first, cursor-paginated), aggregates per
// time bucket and per key/model, the audit log, and who the caller is.
import { badRequest } from '../errors.ts';
import { autoBucket, MAX_BUCKETS, type UsageFilter } from '../store/admin-store.ts';
import { readQuery, reply, type AdminCall } from './admin-context.ts';
import { auditQuerySchema, summaryQuerySchema, usageQuerySchema } from './admin-schemas.ts';

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const DAY_MS = 86_400_000;

function filterOf(q: { key?: string; model?: string; channel?: string; endpoint?: string; status?: number | 'ok' | 'error'; since?: string; until?: string; compacted?: boolean }): UsageFilter {
  return { keyName: q.key, model: q.model, channel: q.channel, endpoint: q.endpoint, status: q.status, since: q.since, until: q.until, compacted: q.compacted };
}

export async function listUsage(call: AdminCall): Promise<void> {
  const q = readQuery(call, usageQuerySchema);
  await call.deps.usageLog.flush();
  reply(call, 200, await call.services.adminStore.usagePage(filterOf(q), q.limit, q.cursor));
}

export async function usageSummary(call: AdminCall): Promise<void> {
  const q = readQuery(call, summaryQuerySchema);
  const until = q.until ?? new Date().toISOString();
  const since = q.since ?? new Date(Date.parse(until) - DAY_MS).toISOString();
  const sinceMs = Date.parse(since);
  const untilMs = Date.parse(until);
  if (sinceMs >= untilMs) throw badRequest('Invalid query field "since": it must be before "until".', 'since', 'invalid_query');
  const bucket = q.bucket ?? autoBucket(sinceMs, untilMs);
  if ((untilMs - sinceMs) / BUCKET_MS[bucket] > MAX_BUCKETS) {
    throw badRequest(`Invalid query field "bucket": ${bucket} buckets over this range would be more than ${MAX_BUCKETS}; use a larger bucket or a shorter range.`, 'bucket', 'invalid_query');
  }
  await call.deps.usageLog.flush();
  reply(call, 200, await call.services.adminStore.usageSummary({ ...filterOf(q), since, until }, bucket));
}

export async function listAudit(call: AdminCall): Promise<void> {
  const q = readQuery(call, auditQuerySchema);
  reply(call, 200, await call.services.adminStore.listAudit({ limit: q.limit, cursor: q.cursor, targetType: q.target_type, target: q.target }));
}

export async function whoAmI(call: AdminCall): Promise<void> {
  reply(call, 200, { actor: call.identity.actor, tokenSource: call.identity.source });
}
