// A small SVG bar chart writer for benchmark pages: one group per label, one bar per series.

export interface BarSeries {
  name: string;
  color: string;
  values: number[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, labels: string[], series: BarSeries[], options: { max?: number; format?: (v: number) => string } = {}): string {
  const rowHeight = 16 * series.length + 14;
  const left = 260;
  const width = 820;
  const barSpace = width - left - 70;
  const height = 50 + labels.length * rowHeight + 30;
  const max = options.max ?? Math.max(...series.flatMap((s) => s.values), 1e-9);
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  series.forEach((s, i) => {
    parts.push(`<rect x="${left + i * 170}" y="32" width="12" height="12" fill="${s.color}"/><text x="${left + 16 + i * 170}" y="42">${escape(s.name)}</text>`);
  });
  labels.forEach((label, row) => {
    const y = 54 + row * rowHeight;
    parts.push(`<text x="${left - 8}" y="${y + rowHeight / 2}" text-anchor="end">${escape(label)}</text>`);
    series.forEach((s, i) => {
      const value = s.values[row] ?? 0;
      const w = Math.max(1, (Math.min(value, max) / max) * barSpace);
      const by = y + i * 16;
      parts.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="13" fill="${s.color}"/>`);
      parts.push(`<text x="${left + w + 4}" y="${by + 11}">${escape(format(value))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
