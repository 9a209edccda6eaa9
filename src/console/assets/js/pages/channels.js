// Channels: upstreams the relay routes to. Add, edit (the upstream key is write-only), enable or
// disable, remove, and test the connection (the upstream's model list, with status and latency).
import { api } from '../api.js';
import { busy, errorState, fmtMs, h, loading, openForm, splitList, table, toast } from '../ui.js';

const TYPES = [{ value: 'openai-chat', label: 'openai-chat (Chat Completions)' }, { value: 'openai-responses', label: 'openai-responses (Responses API)' }, { value: 'anthropic', label: 'anthropic (Messages API)' }];

function aliasesText(aliases) {
  return Object.entries(aliases ?? {}).map(([from, to]) => `${from}=${to}`).join(', ');
}

function parseAliases(text) {
  const pairs = splitList(text);
  if (pairs.length === 0) return null;
  const out = {};
  for (const pair of pairs) {
    const [from, to] = pair.split('=').map((s) => s?.trim());
    if (!from || !to) throw Object.assign(new Error(`Aliases look like client=upstream; got "${pair}".`), { param: 'aliases' });
    out[from] = to;
  }
  return out;
}

function formItems(channel) {
  return [
    ...(channel ? [] : [{ name: 'name', label: 'Name', required: true }]),
    { name: 'type', label: 'Wire format', type: 'select', options: TYPES, value: channel?.type ?? 'openai-chat', required: true },
    { name: 'baseUrl', label: 'Base URL', type: 'url', required: true, value: channel?.baseUrl ?? '', placeholder: 'https://api.openai.com/v1', hint: 'Including /v1.' },
    { name: 'apiKey', label: 'Upstream API key', type: 'password', autocomplete: 'new-password', value: '', hint: channel ? (channel.apiKeyUnreadable ? 'The stored key cannot be read (the server secret changed): set it again.' : channel.apiKeySet ? 'A key is stored; leave empty to keep it.' : 'No key stored.') : 'Stored on the relay, never shown again.' },
    ...(channel?.apiKeySet ? [{ name: 'clearKey', label: 'Remove the stored key', type: 'checkbox', value: false }] : []),
    { name: 'models', label: 'Models', required: true, value: channel ? channel.models.join(', ') : '', hint: 'Comma-separated model names it serves.' },
    { legend: 'Routing', fields: [
      { name: 'priority', label: 'Priority', type: 'number', value: channel?.priority ?? 0, hint: 'Higher is tried first.' },
      { name: 'weight', label: 'Weight', type: 'number', value: channel?.weight ?? 1, hint: 'Share within its priority.' },
      { name: 'contextWindow', label: 'Context window (tokens)', type: 'number', value: channel?.contextWindow ?? '' },
      { name: 'timeoutMs', label: 'Timeout (ms)', type: 'number', value: channel?.timeoutMs ?? '' },
      { name: 'defaultMaxTokens', label: 'Default max_tokens (anthropic)', type: 'number', value: channel?.defaultMaxTokens ?? '', hint: 'Sent when a client sets no output limit; default 8192.' },
    ] },
    { name: 'aliases', label: 'Model aliases', value: aliasesText(channel?.aliases), placeholder: 'fast=gpt-4o-mini', hint: 'client=upstream pairs, comma-separated.' },
    { name: 'nativeCompaction', label: 'Upstream implements /responses/compact itself (OpenAI)', type: 'checkbox', value: channel?.nativeCompaction ?? false },
    { name: 'enabled', label: 'Enabled', type: 'checkbox', value: channel?.enabled ?? true },
  ];
}

function bodyOf(v, editing) {
  const body = {
    type: v.type,
    baseUrl: v.baseUrl,
    models: splitList(v.models),
    priority: v.priority ?? 0,
    weight: v.weight ?? 1,
    enabled: v.enabled,
    nativeCompaction: v.nativeCompaction,
  };
  const aliases = parseAliases(v.aliases);
  if (editing) {
    body.aliases = aliases;
    body.contextWindow = v.contextWindow;
    body.timeoutMs = v.timeoutMs;
    body.defaultMaxTokens = v.defaultMaxTokens;
    if (v.clearKey) body.apiKey = '';
    else if (v.apiKey) body.apiKey = v.apiKey;
  } else {
    if (aliases) body.aliases = aliases;
    if (v.contextWindow !== null) body.contextWindow = v.contextWindow;
    if (v.timeoutMs !== null) body.timeoutMs = v.timeoutMs;
    if (v.defaultMaxTokens !== null) body.defaultMaxTokens = v.defaultMaxTokens;
    if (v.apiKey) body.apiKey = v.apiKey;
  }
  return body;
}

export function renderChannels(container) {
  const body = h('div', {});
  const addButton = h('button', { class: 'button primary', type: 'button', id: 'add-channel' }, 'Add channel');
  container.append(h('div', { class: 'page-head' }, h('h1', {}, 'Channels'), addButton), body);
  const results = new Map();

  const resultCell = (c) => {
    const r = results.get(c.name);
    const cell = h('span', { id: `test-${c.name}`, role: 'status' });
    if (r === 'running') cell.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Testing…');
    else if (r?.ok) cell.append(h('span', { class: 'badge ok' }, `OK ${r.status}`), ` ${fmtMs(r.latencyMs)} · ${r.modelCount} models`);
    else if (r) cell.append(h('span', { class: 'badge bad' }, r.status ? `Failed ${r.status}` : 'Failed'), h('div', { class: 'hint' }, r.error));
    else cell.append(h('span', { class: 'muted' }, 'not tested'));
    if (r?.ok && r.missingModels.length) cell.append(h('div', { class: 'hint' }, `Not listed upstream: ${r.missingModels.join(', ')}`));
    return cell;
  };

  const circuitCell = (c) => {
    const circuit = c.circuit;
    if (!circuit) return h('span', { class: 'muted' }, '—');
    const auth = /^auth_/.test(circuit.lastError ?? '');
    const badge = circuit.state === 'closed' ? h('span', { class: 'badge ok' }, 'closed') : h('span', { class: 'badge bad' }, circuit.state);
    const cell = h('span', { id: `circuit-${c.name}` }, badge);
    if (circuit.lastError) cell.append(h('div', { class: 'hint' }, auth ? `Upstream refused this channel's key (${circuit.lastError.slice(5)}) at ${circuit.lastErrorAt}` : `Last failure ${circuit.lastError} at ${circuit.lastErrorAt}`));
    return cell;
  };

  let channels = [];
  const draw = () => body.replaceChildren(table([
    { label: 'Name', render: (c) => h('strong', {}, c.name) },
    { label: 'Type', render: (c) => c.type },
    { label: 'Base URL', render: (c) => h('code', {}, c.baseUrl) },
    { label: 'Models', render: (c) => c.models.join(', ') },
    { label: 'Prio / weight', num: true, render: (c) => `${c.priority} / ${c.weight}` },
    { label: 'Key', render: (c) => (c.apiKeyUnreadable ? h('span', { class: 'badge bad', title: 'Sealed under another server secret: restore COMPACT_RELAY_SECRET or set the key again.' }, 'unreadable') : c.apiKeySet ? 'set' : h('span', { class: 'muted' }, 'none')) },
    { label: 'State', render: (c) => (c.enabled ? h('span', { class: 'badge ok' }, 'enabled') : h('span', { class: 'badge off' }, 'disabled')) },
    { label: 'Circuit', render: circuitCell },
    { label: 'Connection', render: resultCell },
    { label: 'Actions', class: 'actions', render: (c) => [
      h('button', { class: 'button small', type: 'button', 'aria-label': `Test channel ${c.name}`, onclick: () => test(c) }, 'Test'),
      h('button', { class: 'button small', type: 'button', 'aria-label': `Edit channel ${c.name}`, onclick: () => edit(c) }, 'Edit'),
      h('button', { class: 'button small', type: 'button', 'aria-label': `${c.enabled ? 'Disable' : 'Enable'} channel ${c.name}`, onclick: (e) => toggle(c, e.currentTarget) }, c.enabled ? 'Disable' : 'Enable'),
      h('button', { class: 'button small danger', type: 'button', 'aria-label': `Remove channel ${c.name}`, onclick: (e) => remove(c, e.currentTarget) }, 'Remove'),
    ] },
  ], channels, { empty: 'No channels yet. Add the upstream the relay should send requests to.', rowAttrs: (c) => ({ dataset: { channel: c.name } }) }));

  const load = async () => {
    loading(body);
    try {
      channels = (await api('GET', '/channels')).data;
      draw();
    } catch (err) {
      errorState(body, err, load);
    }
  };

  const test = async (c) => {
    results.set(c.name, 'running');
    draw();
    try {
      results.set(c.name, await api('POST', `/channels/${encodeURIComponent(c.name)}/test`));
    } catch (err) {
      results.set(c.name, { ok: false, status: null, error: err.message });
    }
    draw();
    document.querySelector(`[aria-label="Test channel ${c.name}"]`)?.focus();
  };

  addButton.addEventListener('click', () => openForm({
    title: 'Add channel',
    submitLabel: 'Add channel',
    items: formItems(null),
    onSubmit: async (v) => {
      await api('POST', '/channels', { name: v.name, ...bodyOf(v, false) });
      toast(`Channel "${v.name}" added`);
      await load();
    },
  }));

  const edit = (c) => openForm({
    title: `Edit channel "${c.name}"`,
    items: formItems(c),
    onSubmit: async (v) => {
      await api('PATCH', `/channels/${encodeURIComponent(c.name)}`, bodyOf(v, true));
      toast(`Channel "${c.name}" saved`);
      results.delete(c.name);
      await load();
    },
  });

  const toggle = async (c, button) => {
    try {
      await busy(button, () => api('POST', `/channels/${encodeURIComponent(c.name)}/${c.enabled ? 'disable' : 'enable'}`));
      toast(`Channel "${c.name}" ${c.enabled ? 'disabled' : 'enabled'}`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };

  const remove = async (c, button) => {
    if (!confirm(`Remove channel "${c.name}"? Requests for its models go to other channels, or fail if there are none.`)) return;
    try {
      await busy(button, () => api('DELETE', `/channels/${encodeURIComponent(c.name)}`));
      toast(`Channel "${c.name}" removed`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };

  load();
}
