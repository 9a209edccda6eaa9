// Usage logs: one row per request (and one per compaction summarizer call, marked), newest first, filtered by key, model, channel, status and time,
// with "Load more" pagination.
import { fmtInt, fmtMs, fmtTime, h, statusBadge } from '../ui.js';
import { pagedTable } from './paged.js';

const STATUSES = [['', 'Any status'], ['ok', 'Successful (< 400)'], ['error', 'Errors (≥ 400)'], ['200', '200'], ['400', '400'], ['401', '401'], ['403', '403'], ['404', '404'], ['429', '429'], ['499', '499 (client left)'], ['500', '500'], ['502', '502'], ['503', '503'], ['504', '504']];

function field(id, label, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

/** A datetime-local value (local time) as an ISO string, or undefined. */
const toIso = (value) => (value ? new Date(value).toISOString() : undefined);

export function renderUsage(container) {
  const form = h('form', { class: 'panel filters', id: 'usage-filters', 'aria-label': 'Filter usage rows' },
    field('f-key', 'Key', h('input', { id: 'f-key', name: 'key', autocomplete: 'off' })),
    field('f-model', 'Model', h('input', { id: 'f-model', name: 'model', autocomplete: 'off' })),
    field('f-channel', 'Channel', h('input', { id: 'f-channel', name: 'channel', autocomplete: 'off' })),
    field('f-status', 'Status', h('select', { id: 'f-status', name: 'status' }, STATUSES.map(([v, l]) => h('option', { value: v }, l)))),
    field('f-since', 'From', h('input', { id: 'f-since', name: 'since', type: 'datetime-local' })),
    field('f-until', 'Until', h('input', { id: 'f-until', name: 'until', type: 'datetime-local' })),
    h('div', { class: 'row' }, h('button', { class: 'button primary', type: 'submit' }, 'Apply'), h('button', { class: 'button ghost', type: 'reset' }, 'Reset')));
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Usage')), form);

  const list = pagedTable(container, {
    path: '/usage',
    empty: 'No requests match these filters.',
    rowAttrs: (r) => ({ dataset: { requestId: r.request_id } }),
    columns: [
      { label: 'Time', class: 'nowrap', render: (r) => fmtTime(r.ts) },
      { label: 'Key', render: (r) => r.key_name ?? '—' },
      { label: 'Model', render: (r) => r.model ?? '—' },
      { label: 'Channel', render: (r) => r.channel ?? '—' },
      { label: 'Endpoint', render: (r) => (r.summarizer_call ? h('span', {}, h('code', {}, r.endpoint), ' ', h('span', { class: 'badge off', title: 'The compaction summarizer\'s own upstream call for this request' }, 'summarizer')) : h('code', {}, r.endpoint)) },
      { label: 'Status', render: (r) => statusBadge(r.status) },
      { label: 'Stream', render: (r) => (r.streamed ? 'yes' : 'no') },
      { label: 'In', num: true, render: (r) => fmtInt(r.input_tokens) },
      { label: 'Out', num: true, render: (r) => fmtInt(r.output_tokens) },
      { label: 'Cached', num: true, render: (r) => fmtInt(r.cached_tokens) },
      { label: 'Latency', num: true, render: (r) => fmtMs(r.latency_ms) },
      { label: 'Error', render: (r) => (r.error_code ? h('code', {}, r.error_code) : '') },
    ],
  });

  const filters = () => {
    const data = new FormData(form);
    return { key: data.get('key').trim(), model: data.get('model').trim(), channel: data.get('channel').trim(), status: data.get('status'), since: toIso(data.get('since')), until: toIso(data.get('until')) };
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    list.reload(filters());
  });
  form.addEventListener('reset', () => setTimeout(() => list.reload(filters())));
  list.reload({});
}
