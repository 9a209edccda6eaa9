// Overview: totals and charts over a chosen range (requests and errors, tokens, latency, tokens
// saved by compaction) plus the busiest keys and models; refreshes itself every 15 seconds.
import { api, qs } from '../api.js';
import { errorState, fmtCompact, fmtInt, fmtMs, h, loading, table } from '../ui.js';
import { timeChart } from '../charts.js';

const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];
let chosenRange = '24h';

function card(label, value, id) {
  return h('div', { class: 'card', id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

function totalsTable(rows, nameKey, nameLabel) {
  return table([
    { label: nameLabel, render: (r) => r[nameKey] ?? '(none)' },
    { label: 'Requests', num: true, render: (r) => fmtInt(r.requests) },
    { label: 'Errors', num: true, render: (r) => fmtInt(r.errors) },
    { label: 'Input', num: true, render: (r) => fmtInt(r.input_tokens) },
    { label: 'Output', num: true, render: (r) => fmtInt(r.output_tokens) },
    { label: 'Saved', num: true, render: (r) => fmtInt(r.tokens_saved) },
  ], rows, { empty: 'No requests in this range.' });
}

export function renderOverview(container) {
  const rangeSelect = h('select', { id: 'range', name: 'range' }, RANGES.map((r) => h('option', { value: r.value, selected: r.value === chosenRange }, r.label)));
  const refreshButton = h('button', { class: 'button', type: 'button' }, 'Refresh');
  const body = h('div', {});
  container.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Overview'),
      h('div', { class: 'row' }, h('label', { for: 'range', class: 'sr-only' }, 'Time range'), rangeSelect, refreshButton)),
    body);

  let first = true;
  const load = async () => {
    if (first) loading(body);
    const range = RANGES.find((r) => r.value === chosenRange);
    const until = new Date();
    const since = new Date(until.getTime() - range.ms);
    try {
      const data = await api('GET', '/usage/summary' + qs({ since: since.toISOString(), until: until.toISOString() }));
      first = false;
      const starts = data.series.map((b) => b.start);
      const col = (k) => data.series.map((b) => b[k]);
      const t = data.totals;
      const errorRate = t.requests ? ((t.errors / t.requests) * 100).toFixed(1) + '%' : '—';
      body.replaceChildren(
        h('div', { class: 'cards' },
          card('Requests', fmtInt(t.requests), 'total-requests'),
          card('Errors', `${fmtInt(t.errors)} (${errorRate})`, 'total-errors'),
          card('Input tokens', fmtCompact(t.input_tokens), 'total-input'),
          card('Output tokens', fmtCompact(t.output_tokens), 'total-output'),
          card('Latency p50 / p95', `${fmtMs(t.p50_latency_ms)} / ${fmtMs(t.p95_latency_ms)}`, 'total-latency'),
          card('Saved by compaction', fmtCompact(t.tokens_saved) + ' tokens', 'total-saved')),
        h('div', { class: 'charts' },
          timeChart({ id: 'chart-requests', title: 'Requests', starts, bucket: data.bucket, total: t.requests, series: [
            { label: 'Requests', cls: 'c1', values: col('requests') },
            { label: 'Errors', cls: 'c2', values: col('errors') },
          ] }),
          timeChart({ id: 'chart-tokens', title: 'Tokens', kind: 'line', starts, bucket: data.bucket, total: t.input_tokens + t.output_tokens, series: [
            { label: 'Input', cls: 'c1', values: col('input_tokens') },
            { label: 'Output', cls: 'c4', values: col('output_tokens') },
          ] }),
          timeChart({ id: 'chart-latency', title: 'Latency', kind: 'line', starts, bucket: data.bucket, format: fmtMs, series: [
            { label: 'p50', cls: 'c3', values: col('p50_latency_ms') },
            { label: 'p95', cls: 'c2', values: col('p95_latency_ms') },
          ] }),
          timeChart({ id: 'chart-saved', title: 'Tokens saved by compaction', starts, bucket: data.bucket, total: t.tokens_saved, series: [
            { label: 'Saved', cls: 'c3', values: col('tokens_saved') },
          ] })),
        h('div', { class: 'charts' },
          h('section', {}, h('h2', {}, 'By key'), totalsTable(data.by_key, 'key_name', 'Key')),
          h('section', {}, h('h2', {}, 'By model'), totalsTable(data.by_model, 'model', 'Model'))),
        h('p', { class: 'muted' }, `Updated ${new Date().toLocaleTimeString()} · ${data.bucket} buckets`));
    } catch (err) {
      if (first) errorState(body, err, load);
    }
  };
  rangeSelect.addEventListener('change', () => {
    chosenRange = rangeSelect.value;
    first = true;
    load();
  });
  refreshButton.addEventListener('click', load);
  load();
  const timer = setInterval(load, 15_000);
  return () => clearInterval(timer);
}
