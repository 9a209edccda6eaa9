// Small DOM helpers for the console: an element builder, number and time formats, tables, loading
// and error states, a toast, and the one modal form used to create and edit everything.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const intFormat = new Intl.NumberFormat();
export const fmtInt = (n) => (n === null || n === undefined ? '—' : intFormat.format(n));
export function fmtCompact(n) {
  if (n === null || n === undefined) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return (n / 1e9).toFixed(abs >= 1e10 ? 0 : 1) + 'B';
  if (abs >= 1e6) return (n / 1e6).toFixed(abs >= 1e7 ? 0 : 1) + 'M';
  if (abs >= 1e4) return (n / 1e3).toFixed(0) + 'k';
  return intFormat.format(Math.round(n));
}
export const fmtMs = (n) => (n === null || n === undefined ? '—' : n >= 10_000 ? (n / 1000).toFixed(1) + ' s' : intFormat.format(n) + ' ms');
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function statusBadge(status) {
  const cls = status < 400 ? 'ok' : status === 429 ? 'warn' : 'bad';
  return h('span', { class: `badge ${cls}` }, String(status));
}

export function loading(container, text = 'Loading…') {
  container.replaceChildren(h('div', { class: 'state', role: 'status', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text));
}

export function errorState(container, err, retry) {
  container.replaceChildren(h('div', { class: 'state error', role: 'alert' },
    h('p', {}, err?.message ?? String(err)),
    retry ? h('button', { class: 'button', type: 'button', onclick: retry }, 'Retry') : null));
}

/** columns: [{ label, num?, render(row) }]; an empty state when there are no rows. */
export function table(columns, rows, { empty = 'Nothing here yet.', caption, rowAttrs } = {}) {
  if (rows.length === 0) return h('div', { class: 'state panel' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : c.class }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', rowAttrs ? rowAttrs(row) : {}, columns.map((c) => h('td', { class: c.num ? 'num' : c.class }, c.render(row))))))));
}

let toastTimer;
export function clearToast() {
  clearTimeout(toastTimer);
  document.getElementById('toast').classList.remove('show');
}

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 3000);
}

/** Disables a button while work runs. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

let fieldCounter = 0;

function fieldElement(field) {
  const id = `f-${field.name}-${++fieldCounter}`;
  const hint = field.hint ? h('span', { class: 'hint', id: id + '-hint' }, field.hint) : null;
  const common = { id, name: field.name, required: field.required, 'aria-describedby': hint ? id + '-hint' : undefined };
  if (field.type === 'checkbox') {
    return h('div', { class: 'stack' }, h('label', { class: 'check', for: id }, h('input', { ...common, type: 'checkbox', checked: !!field.value }), field.label), hint);
  }
  let input;
  if (field.type === 'select') {
    input = h('select', common, field.options.map((o) => h('option', { value: o.value, selected: String(field.value ?? '') === o.value }, o.label)));
  } else if (field.type === 'textarea') {
    input = h('textarea', { ...common, rows: 3, placeholder: field.placeholder }, field.value ?? '');
  } else {
    input = h('input', {
      ...common,
      type: field.type ?? 'text',
      value: field.value ?? '',
      placeholder: field.placeholder,
      autocomplete: field.autocomplete ?? 'off',
      spellcheck: 'false',
      inputmode: field.type === 'number' ? 'decimal' : undefined,
      step: field.type === 'number' ? 'any' : undefined,
      min: field.min,
    });
  }
  return h('div', { class: 'stack' }, h('label', { for: id }, field.label, field.required ? '' : h('span', { class: 'hint' }, ' (optional)')), input, hint);
}

function readValue(form, field) {
  const el = form.elements.namedItem(field.name);
  if (field.type === 'checkbox') return el.checked;
  const raw = el.value.trim();
  if (field.type === 'number') return raw === '' ? null : Number(raw);
  return raw;
}

/**
 * Opens the modal form. items: fields, or { legend, fields } groups. onSubmit(values) may throw an
 * ApiError; its message is shown in the dialog and the field it names gets focus.
 */
export function openForm({ title, items, submitLabel = 'Save', onSubmit }) {
  const dialog = document.getElementById('modal');
  const form = document.getElementById('modal-form');
  const fieldsBox = document.getElementById('modal-fields');
  const errorBox = document.getElementById('modal-error');
  const submit = document.getElementById('modal-submit');
  document.getElementById('modal-title').textContent = title;
  submit.textContent = submitLabel;
  errorBox.textContent = '';
  const fields = [];
  fieldsBox.replaceChildren(...items.map((item) => {
    if (item.fields) {
      fields.push(...item.fields);
      return h('fieldset', {}, h('legend', {}, item.legend), h('div', { class: 'grid2' }, item.fields.map(fieldElement)));
    }
    fields.push(item);
    return fieldElement(item);
  }));
  form.onsubmit = async (event) => {
    event.preventDefault();
    errorBox.textContent = '';
    const missing = fields.find((f) => f.required && readValue(form, f) === '');
    if (missing) {
      errorBox.textContent = `${missing.label} is required.`;
      form.elements.namedItem(missing.name).focus();
      return;
    }
    const values = Object.fromEntries(fields.map((f) => [f.name, readValue(form, f)]));
    try {
      await busy(submit, () => onSubmit(values));
      dialog.close();
    } catch (err) {
      errorBox.textContent = err.message;
      const name = err.param ? err.param.split('.').pop() : null;
      const target = name ? form.elements.namedItem(name) : null;
      if (target && target.focus) target.focus();
    }
  };
  document.getElementById('modal-cancel').onclick = () => dialog.close();
  dialog.showModal();
  const first = form.querySelector('input, select, textarea');
  if (first) first.focus();
}

export const splitList = (text) => text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
