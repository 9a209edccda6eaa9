// A table fed by a cursor-paginated admin API list: first page, "Load more", loading and error
// states. Used by the usage, compaction and audit pages.
import { api, qs } from '../api.js';
import { busy, errorState, h, loading, table } from '../ui.js';

export function pagedTable(container, { path, columns, empty, pageSize = 50, rowAttrs }) {
  let rows = [];
  let cursor = null;
  let params = {};
  const tableBox = h('div', {});
  const more = h('button', { class: 'button', type: 'button', hidden: true }, 'Load more');
  const count = h('span', { class: 'muted', role: 'status' });
  container.append(tableBox, h('div', { class: 'row' }, more, count));

  const draw = () => {
    tableBox.replaceChildren(table(columns, rows, { empty, rowAttrs }));
    more.hidden = cursor === null;
    count.textContent = rows.length ? `${rows.length} row${rows.length === 1 ? '' : 's'}${cursor === null ? '' : ' so far'}` : '';
  };

  const fetchPage = () => api('GET', path + qs({ ...params, limit: pageSize, cursor: cursor ?? undefined }));

  const reload = async (nextParams = params) => {
    params = nextParams;
    cursor = null;
    loading(tableBox);
    more.hidden = true;
    count.textContent = '';
    try {
      const page = await fetchPage();
      rows = page.data;
      cursor = page.next_cursor;
      draw();
    } catch (err) {
      errorState(tableBox, err, () => reload());
    }
  };

  more.addEventListener('click', () => busy(more, async () => {
    try {
      const page = await fetchPage();
      rows = rows.concat(page.data);
      cursor = page.next_cursor;
      draw();
    } catch (err) {
      count.textContent = err.message;
    }
  }));

  return { reload };
}
