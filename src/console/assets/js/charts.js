// Hand-rolled SVG time charts for the console: bars or lines over time buckets, with axes, a
// legend, a tooltip per point (<title>) and a text summary for screen readers. No dependencies.
import { h, fmtCompact } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 200;
const PAD = { left: 62, right: 12, top: 10, bottom: 24 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/** A round axis maximum whose half is round too (counts stay whole numbers). */
function niceMax(value) {
  if (value <= 2) return 2;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * exp >= value) return m * exp;
  return 10 * exp;
}

function tickLabel(iso, bucket) {
  const d = new Date(iso);
  if (bucket === 'day') return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/**
 * A time chart. series: [{ label, cls: 'c1'..'c4', values: (number|null)[] }]; starts: bucket start
 * times. kind 'bar' overlays bars (later series in front), 'line' draws one path per series.
 */
export function timeChart({ id, title, starts, bucket, series, kind = 'bar', format = fmtCompact, total }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const n = starts.length;
  const max = niceMax(Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v !== null))));
  const x = (i) => PAD.left + (n <= 1 ? innerW / 2 : (i * innerW) / n);
  const y = (v) => PAD.top + innerH - (v / max) * innerH;
  const svg = s('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc` });

  for (const frac of [0, 0.5, 1]) {
    const v = max * frac;
    svg.append(s('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    const label = s('text', { class: 'tick', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' });
    label.textContent = format(v);
    svg.append(label);
  }
  const ticks = Math.min(6, n);
  for (let t = 0; t < ticks; t++) {
    const i = Math.round((t * (n - 1)) / Math.max(1, ticks - 1));
    const anchor = ticks > 1 && t === 0 ? 'start' : ticks > 1 && t === ticks - 1 ? 'end' : 'middle';
    const at = anchor === 'start' ? x(i) : anchor === 'end' ? x(i) + innerW / Math.max(n, 1) : x(i) + innerW / Math.max(n, 1) / 2;
    const label = s('text', { class: 'tick', x: at, y: H - 6, 'text-anchor': anchor });
    label.textContent = tickLabel(starts[i], bucket);
    svg.append(label);
  }

  const hasData = series.some((x) => x.values.some((v) => v !== null && v > 0));
  if (!hasData) {
    const empty = s('text', { class: 'empty', x: PAD.left + innerW / 2, y: PAD.top + innerH / 2, 'text-anchor': 'middle' });
    empty.textContent = 'No data in this range';
    svg.append(empty);
  } else if (kind === 'bar') {
    const slot = innerW / Math.max(n, 1);
    const barW = Math.max(1, slot * 0.8);
    for (const line of series) {
      line.values.forEach((v, i) => {
        if (!v) return;
        const title = s('title');
        title.textContent = `${tickLabel(starts[i], bucket)} — ${line.label}: ${format(v)}`;
        svg.append(s('rect', { class: line.cls, x: x(i) + (slot - barW) / 2, y: y(v), width: barW, height: Math.max(1, y(0) - y(v)), 'data-value': v }, title));
      });
    }
  } else {
    const slot = innerW / Math.max(n, 1);
    for (const line of series) {
      let d = '';
      let pen = false;
      line.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${(x(i) + slot / 2).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
        const title = s('title');
        title.textContent = `${tickLabel(starts[i], bucket)} — ${line.label}: ${format(v)}`;
        svg.append(s('circle', { class: line.cls, cx: x(i) + slot / 2, cy: y(v), r: n > 120 ? 1.2 : 2.5, 'data-value': v }, title));
      });
      svg.prepend(s('path', { class: `line ${line.cls}`, d }));
    }
  }

  const summary = series.map((line) => {
    const values = line.values.filter((v) => v !== null);
    return `${line.label}: ${format(values.reduce((a, b) => a + b, 0))} total, peak ${format(Math.max(0, ...values))}`;
  }).join('; ');
  return h('figure', { class: 'chart', id, dataset: { total: String(total ?? '') } },
    h('figcaption', {},
      h('span', { id: `${id}-title` }, title, total !== undefined ? h('span', { class: 'muted' }, ` · ${format(total)}`) : null),
      h('span', { class: 'legend', 'aria-hidden': 'true' }, series.map((line) => h('span', {}, h('span', { class: `swatch ${line.cls}` }), line.label)))),
    svg,
    h('p', { class: 'sr-only', id: `${id}-desc` }, summary));
}
