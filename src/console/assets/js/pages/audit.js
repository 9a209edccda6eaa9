// Audit log: every change made through the admin API, who made it, when and to what.
import { fmtTime, h } from '../ui.js';
import { pagedTable } from './paged.js';

export function renderAudit(container) {
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Audit log')));
  const list = pagedTable(container, {
    path: '/audit',
    empty: 'No changes recorded yet.',
    columns: [
      { label: 'Time', class: 'nowrap', render: (r) => fmtTime(r.ts) },
      { label: 'Who', render: (r) => h('code', {}, r.actor) },
      { label: 'Action', render: (r) => h('code', {}, r.action) },
      { label: 'Target', render: (r) => `${r.targetType} "${r.target}"` },
      { label: 'Details', render: (r) => (Object.keys(r.details).length ? h('code', {}, JSON.stringify(r.details)) : '') },
      { label: 'From', render: (r) => r.remoteAddr ?? '' },
    ],
  });
  list.reload({});
}
