// Compaction events: what compaction saved over the last 30 days, and each compacted request with
// tokens before → after, the strategy, the summarizer model and its tokens, and why a model summary
// fell back to the ledger when it did.
import { api, qs } from '../api.js';
import { errorState, fmtCompact, fmtInt, fmtTime, h, loading } from '../ui.js';
import { timeChart } from '../charts.js';
import { pagedTable } from './paged.js';

export function renderCompaction(container) {
  const summaryBox = h('div', {});
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Compaction')), summaryBox, h('h2', {}, 'Compaction events'));

  const loadSummary = async () => {
    loading(summaryBox);
    const until = new Date();
    const since = new Date(until.getTime() - 30 * 86_400_000);
    try {
      const data = await api('GET', '/usage/summary' + qs({ compacted: 'true', since: since.toISOString(), until: until.toISOString(), bucket: 'day' }));
      const t = data.totals;
      summaryBox.replaceChildren(
        h('div', { class: 'cards' },
          h('div', { class: 'card' }, h('div', { class: 'label' }, 'Compactions (30 days)'), h('div', { class: 'value' }, fmtInt(t.compactions))),
          h('div', { class: 'card' }, h('div', { class: 'label' }, 'Tokens saved'), h('div', { class: 'value', id: 'compaction-saved' }, fmtCompact(t.tokens_saved))),
          h('div', { class: 'card' }, h('div', { class: 'label' }, 'Summarizer tokens spent'), h('div', { class: 'value' }, fmtCompact(t.summarizer_tokens)))),
        h('div', { class: 'charts' }, timeChart({ id: 'chart-compaction', title: 'Tokens saved per day', starts: data.series.map((b) => b.start), bucket: 'day', total: t.tokens_saved, series: [{ label: 'Saved', cls: 'c3', values: data.series.map((b) => b.tokens_saved) }] })));
    } catch (err) {
      errorState(summaryBox, err, loadSummary);
    }
  };

  const list = pagedTable(container, {
    path: '/usage',
    empty: 'No compacted requests yet. They appear when a conversation outgrows its budget or a client calls /v1/responses/compact.',
    columns: [
      { label: 'Time', class: 'nowrap', render: (r) => fmtTime(r.ts) },
      { label: 'Key', render: (r) => r.key_name ?? '—' },
      { label: 'Model', render: (r) => r.model ?? '—' },
      { label: 'Endpoint', render: (r) => h('code', {}, r.endpoint) },
      { label: 'Tokens before → after', num: true, render: (r) => `${fmtInt(r.compaction_tokens_before)} → ${fmtInt(r.compaction_tokens_after)}` },
      { label: 'Saved', num: true, render: (r) => {
        const before = r.compaction_tokens_before ?? 0;
        const saved = before - (r.compaction_tokens_after ?? before);
        return `${fmtInt(saved)}${before ? ` (${Math.round((saved / before) * 100)}%)` : ''}`;
      } },
      { label: 'Strategy', render: (r) => r.compaction_strategy ?? '—' },
      { label: 'Fallback', render: (r) => (r.compaction_fallback ? h('span', { class: 'badge warn', title: 'The model summary failed; the ledger stood in alone' }, r.compaction_fallback) : '—') },
      { label: 'Summarizer', render: (r) => r.summarizer_model ?? '—' },
      { label: 'Summarizer in / out', num: true, render: (r) => (r.summarizer_model ? `${fmtInt(r.summarizer_input_tokens)} / ${fmtInt(r.summarizer_output_tokens)}` : '—') },
    ],
  });
  loadSummary();
  list.reload({ compacted: 'true' });
}
