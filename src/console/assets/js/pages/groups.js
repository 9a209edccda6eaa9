// Groups: which models their keys may use, their compaction policy and shared limits; create,
// edit and remove (only without active keys).
import { api } from '../api.js';
import { busy, errorState, h, loading, openForm, splitList, table, toast } from '../ui.js';
import { limitsText } from './keys.js';

const STRATEGIES = [{ value: '', label: 'Default (model summary)' }, { value: 'model', label: 'model: summary + ledger' }, { value: 'ledger', label: 'ledger: no model call' }, { value: 'none', label: 'none: never compact' }];
const OUTPUTS = [{ value: '', label: 'Default (message)' }, { value: 'message', label: 'message: portable summary' }, { value: 'sealed', label: 'sealed: one sealed item, like OpenAI' }];
const FALLBACKS = [{ value: '', label: 'Default (ledger)' }, { value: 'ledger', label: 'ledger: stands in, said in a header' }, { value: 'error', label: 'error: answer 502/503/504' }];
const LIMITS = [{ name: 'rpm', label: 'Requests per minute' }, { name: 'tpm', label: 'Tokens per minute' }, { name: 'concurrency', label: 'Concurrent requests' }];

function formItems(group) {
  const c = group?.compaction ?? {};
  return [
    ...(group ? [] : [{ name: 'name', label: 'Name', required: true }]),
    { name: 'models', label: 'Models', required: true, value: group ? group.models.join(', ') : '', hint: 'Comma-separated model names, or * for every model.' },
    { legend: 'Compaction', fields: [
      { name: 'strategy', label: 'Strategy', type: 'select', options: STRATEGIES, value: c.strategy ?? '' },
      { name: 'output', label: 'Output', type: 'select', options: OUTPUTS, value: c.output ?? '' },
      { name: 'summarizerModel', label: 'Summarizer model', value: c.summarizerModel ?? '', hint: 'A cheaper model for summaries.' },
      { name: 'fallback', label: 'When the summary fails', type: 'select', options: FALLBACKS, value: c.fallback ?? '' },
    ] },
    { legend: 'Limits shared by the group\'s keys (empty = none)', fields: LIMITS.map((l) => ({ ...l, type: 'number', min: 0, value: group?.limits?.[l.name] ?? '' })) },
  ];
}

function bodyOf(v, editing) {
  const compaction = {};
  if (v.strategy) compaction.strategy = v.strategy;
  if (v.output) compaction.output = v.output;
  if (v.summarizerModel) compaction.summarizerModel = v.summarizerModel;
  if (v.fallback) compaction.fallback = v.fallback;
  const limits = {};
  for (const l of LIMITS) if (v[l.name] !== null) limits[l.name] = v[l.name];
  else if (editing) limits[l.name] = null;
  return {
    models: splitList(v.models),
    compaction: Object.keys(compaction).length ? compaction : editing ? null : undefined,
    limits,
  };
}

export function renderGroups(container) {
  const body = h('div', {});
  const createButton = h('button', { class: 'button primary', type: 'button', id: 'create-group' }, 'New group');
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Groups'), createButton), body);

  const load = async () => {
    loading(body);
    try {
      const { data } = await api('GET', '/groups');
      body.replaceChildren(table([
        { label: 'Name', render: (g) => h('strong', {}, g.name) },
        { label: 'Models', render: (g) => g.models.join(', ') },
        { label: 'Compaction', render: (g) => (g.compaction ? Object.entries(g.compaction).map(([k, v]) => `${k}: ${v}`).join(' · ') : 'default') },
        { label: 'Limits', render: (g) => limitsText(g.limits) },
        { label: 'Active keys', num: true, render: (g) => g.activeKeys },
        { label: 'Source', render: (g) => g.source },
        { label: 'Actions', class: 'actions', render: (g) => [
          h('button', { class: 'button small', type: 'button', 'aria-label': `Edit group ${g.name}`, onclick: () => edit(g) }, 'Edit'),
          h('button', { class: 'button small danger', type: 'button', 'aria-label': `Remove group ${g.name}`, disabled: g.activeKeys > 0, title: g.activeKeys > 0 ? 'Revoke or move its keys first' : undefined, onclick: (e) => remove(g, e.currentTarget) }, 'Remove'),
        ] },
      ], data, { empty: 'No groups yet. A group decides which models its keys may use.' }));
    } catch (err) {
      errorState(body, err, load);
    }
  };

  createButton.addEventListener('click', () => openForm({
    title: 'New group',
    submitLabel: 'Create group',
    items: formItems(null),
    onSubmit: async (v) => {
      await api('POST', '/groups', { name: v.name, ...bodyOf(v, false) });
      toast(`Group "${v.name}" created`);
      await load();
    },
  }));

  const edit = (group) => openForm({
    title: `Edit group "${group.name}"`,
    items: formItems(group),
    onSubmit: async (v) => {
      await api('PATCH', `/groups/${encodeURIComponent(group.name)}`, bodyOf(v, true));
      toast(`Group "${group.name}" saved`);
      await load();
    },
  });

  const remove = async (group, button) => {
    if (!confirm(`Remove group "${group.name}"?`)) return;
    try {
      await busy(button, () => api('DELETE', `/groups/${encodeURIComponent(group.name)}`));
      toast(`Group "${group.name}" removed`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };

  load();
}
