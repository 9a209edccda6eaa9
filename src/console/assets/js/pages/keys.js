// Keys: the key list, creating a key (its secret shown once, with a copy button), editing its
// group and limits, and revoking it.
import { api } from '../api.js';
import { busy, errorState, fmtTime, h, loading, openForm, table, toast } from '../ui.js';

const LIMITS = [
  { name: 'rpm', label: 'Requests per minute' },
  { name: 'tpm', label: 'Tokens per minute' },
  { name: 'concurrency', label: 'Concurrent requests' },
  { name: 'quotaTokens', label: 'Token quota' },
  { name: 'quotaUsd', label: 'Cost quota (USD)' },
];

export function limitsText(limits) {
  const parts = Object.entries(limits ?? {}).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(' · ') : '—';
}

function limitFields(current = {}) {
  return { legend: 'Limits and quota (empty = none)', fields: LIMITS.map((l) => ({ ...l, type: 'number', min: 0, value: current[l.name] ?? '' })) };
}

function limitsFrom(values, clearEmpty) {
  const limits = {};
  for (const l of LIMITS) {
    if (values[l.name] !== null) limits[l.name] = values[l.name];
    else if (clearEmpty) limits[l.name] = null;
  }
  return limits;
}

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    input.select();
    document.execCommand('copy');
  }
  toast('Secret copied to the clipboard');
}

export function renderKeys(container) {
  const secretSlot = h('div', {});
  const body = h('div', {});
  const createButton = h('button', { class: 'button primary', type: 'button', id: 'create-key' }, 'Create key');
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Keys'), createButton), secretSlot, body);
  let groups = [];

  const showSecret = (key, secret) => {
    const input = h('input', { id: 'new-key-secret', class: 'mono', readonly: true, value: secret, 'aria-describedby': 'new-key-help' });
    const panel = h('section', { class: 'panel secret-box', 'aria-labelledby': 'new-key-title', tabindex: '-1' },
      h('h2', { id: 'new-key-title' }, `Key "${key.name}" created`),
      h('p', { id: 'new-key-help' }, 'Copy the secret now: it is shown only this once. Clients send it as ', h('code', {}, 'Authorization: Bearer …'), '.'),
      h('div', { class: 'row' },
        h('label', { for: 'new-key-secret', class: 'sr-only' }, 'Secret'), input,
        h('button', { class: 'button primary', type: 'button', onclick: () => copy(secret, input) }, 'Copy'),
        h('button', { class: 'button ghost', type: 'button', onclick: () => secretSlot.replaceChildren() }, 'Done')));
    secretSlot.replaceChildren(panel);
    panel.focus();
  };

  const load = async () => {
    loading(body);
    try {
      const [keys, groupList] = await Promise.all([api('GET', '/keys'), api('GET', '/groups')]);
      groups = groupList.data;
      const rows = [...keys.data].sort((a, b) => Number(b.active) - Number(a.active) || b.id - a.id);
      body.replaceChildren(table([
        { label: 'Name', render: (k) => h('strong', {}, k.name) },
        { label: 'Key', render: (k) => h('code', {}, k.prefix + '…') },
        { label: 'Group', render: (k) => k.group },
        { label: 'Limits', render: (k) => limitsText(k.limits) },
        { label: 'Created', class: 'nowrap', render: (k) => fmtTime(k.createdAt) },
        { label: 'Status', render: (k) => (k.active ? h('span', { class: 'badge ok' }, 'active') : h('span', { class: 'badge off', title: fmtTime(k.revokedAt) }, 'revoked')) },
        { label: 'Actions', class: 'actions', render: (k) => (k.active ? [
          h('button', { class: 'button small', type: 'button', 'aria-label': `Edit key ${k.name}`, onclick: () => edit(k) }, 'Edit'),
          h('button', { class: 'button small danger', type: 'button', 'aria-label': `Revoke key ${k.name}`, onclick: (e) => revoke(k, e.currentTarget) }, 'Revoke'),
        ] : '') },
      ], rows, { empty: 'No keys yet. Create one to let a client call the relay.', rowAttrs: (k) => ({ dataset: { key: k.name } }) }));
    } catch (err) {
      errorState(body, err, load);
    }
  };

  const groupOptions = (selected) => groups.map((g) => ({ value: g.name, label: `${g.name} (${g.models.join(', ')})` })).concat(selected && !groups.some((g) => g.name === selected) ? [{ value: selected, label: selected }] : []);

  createButton.addEventListener('click', () => {
    if (groups.length === 0) {
      toast('Create a group first: a key belongs to a group.');
      return;
    }
    openForm({
      title: 'Create key',
      submitLabel: 'Create key',
      items: [
        { name: 'name', label: 'Name', required: true, hint: 'Who or what uses it, e.g. "alice" or "ci-bot".' },
        { name: 'group', label: 'Group', type: 'select', required: true, options: groupOptions(), value: groups[0]?.name },
        limitFields(),
      ],
      onSubmit: async (v) => {
        const created = await api('POST', '/keys', { name: v.name, group: v.group, limits: limitsFrom(v, false) });
        await load();
        showSecret(created.key, created.secret);
      },
    });
  });

  const edit = (key) => openForm({
    title: `Edit key "${key.name}"`,
    items: [{ name: 'group', label: 'Group', type: 'select', required: true, options: groupOptions(key.group), value: key.group }, limitFields(key.limits)],
    onSubmit: async (v) => {
      await api('PATCH', `/keys/${encodeURIComponent(key.name)}`, { group: v.group, limits: limitsFrom(v, true) });
      toast(`Key "${key.name}" saved`);
      await load();
    },
  });

  const revoke = async (key, button) => {
    if (!confirm(`Revoke key "${key.name}"? Clients using it get 401 from now on. This cannot be undone.`)) return;
    try {
      await busy(button, () => api('POST', `/keys/${encodeURIComponent(key.name)}/revoke`));
      toast(`Key "${key.name}" revoked`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };

  load();
}
