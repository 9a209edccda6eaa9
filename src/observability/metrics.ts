// Prometheus metrics (prom-client, one registry per relay): requests by endpoint, status, model
// and channel; latency and time-to-first-byte histograms; upstream errors; tokens; tokens saved
// by compaction; rejections by limits. Recorded once per request from its usage row. Labels take
// only values the operator configured (routes, channels and their models), never raw client input,
// so a scan of random paths or model names cannot grow the registry without bound. Recording never
// throws: a value prom-client refuses (a negative count) is dropped and counted, not raised.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UsageRow } from '../store/usage-log.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class RelayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'endpoint' | 'status' | 'model' | 'channel'>;
  private readonly latency: Histogram<'endpoint'>;
  private readonly ttfb: Histogram<'endpoint'>;
  private readonly upstreamErrors: Counter<'channel' | 'code'>;
  private readonly tokens: Counter<'model' | 'kind'>;
  private readonly saved: Counter<'strategy'>;
  private readonly compactions: Counter<'strategy'>;
  private readonly fallbacks: Counter<'reason'>;
  private readonly dropped: Counter;

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'relay_' });
    const registers = [this.registry];
    this.requests = new Counter({ name: 'relay_requests_total', help: 'Requests answered, by endpoint, status, model and channel', labelNames: ['endpoint', 'status', 'model', 'channel'], registers });
    this.latency = new Histogram({ name: 'relay_request_duration_seconds', help: 'Time from request to the last byte of the answer', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.ttfb = new Histogram({ name: 'relay_time_to_first_byte_seconds', help: 'Time from request to the first byte of the answer', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.upstreamErrors = new Counter({ name: 'relay_upstream_errors_total', help: 'Failed upstream attempts, by channel and status or error code', labelNames: ['channel', 'code'], registers });
    this.tokens = new Counter({ name: 'relay_tokens_total', help: 'Tokens reported by upstreams, by model and kind (input, output, cached)', labelNames: ['model', 'kind'], registers });
    this.saved = new Counter({ name: 'relay_compaction_tokens_saved_total', help: 'Tokens removed by compaction (before minus after)', labelNames: ['strategy'], registers });
    this.compactions = new Counter({ name: 'relay_compactions_total', help: 'Compaction events, by strategy', labelNames: ['strategy'], registers });
    this.fallbacks = new Counter({ name: 'relay_compaction_fallbacks_total', help: 'Compactions whose model summary failed, so the ledger stood in alone (or the request failed), by reason', labelNames: ['reason'], registers });
    this.dropped = new Counter({ name: 'relay_metric_errors_total', help: 'Observations that could not be recorded (invalid values); never raised into a request', registers });
  }

  /**
   * `route` is the matched route's path, or undefined when no route matched. The model label is
   * kept only when a channel took the request (the model is one the operator configured).
   */
  observe(row: UsageRow, route: string | undefined): void {
    this.guarded(() => this.record(row, route));
  }

  private record(row: UsageRow, route: string | undefined): void {
    const endpoint = route ?? 'unmatched';
    const model = row.channel ? row.model ?? '' : '';
    this.requests.inc({ endpoint, status: String(row.status), model, channel: row.channel ?? '' });
    this.latency.observe({ endpoint }, (row.latency_ms ?? 0) / 1000);
    if (row.ttfb_ms !== null && row.ttfb_ms !== undefined) this.ttfb.observe({ endpoint }, row.ttfb_ms / 1000);
    if (model && (row.input_tokens || row.output_tokens)) {
      this.tokens.inc({ model, kind: 'input' }, row.input_tokens ?? 0);
      this.tokens.inc({ model, kind: 'output' }, row.output_tokens ?? 0);
      if (row.cached_tokens) this.tokens.inc({ model, kind: 'cached' }, row.cached_tokens);
    }
    if (row.compaction_tokens_before != null && row.compaction_tokens_after != null) {
      const strategy = row.compaction_strategy ?? 'ledger';
      this.compactions.inc({ strategy });
      this.saved.inc({ strategy }, Math.max(0, row.compaction_tokens_before - row.compaction_tokens_after));
    }
  }

  /** `reason` is one of the few fallback reasons the relay names, never client input. */
  compactionFallback(reason: string): void {
    this.fallbacks.inc({ reason });
  }

  upstreamError(channel: string, code: string): void {
    this.guarded(() => this.upstreamErrors.inc({ channel, code }));
  }

  private guarded(record: () => void): void {
    try {
      record();
    } catch {
      try {
        this.dropped.inc();
      } catch {
        // nothing more to do: metrics must never fail a request
      }
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
