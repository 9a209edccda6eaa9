// Draws the overhead chart (docs/benchmarks/overhead.svg) by hand: three horizontal bar panels,
// throughput at the highest concurrency, added p50 latency at 1 connection, CPU per request.
import { LABELS, TARGETS, type BenchResults, type TargetName } from './page.ts';

const COLORS: Record<TargetName, string> = { emulator: '#9aa5b1', bare: '#5b8def', relay: '#1f9d55', portkey: '#e0803a' };

interface Bar {
  target: TargetName;
  value: number;
  text: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(title: string, bars: Bar[], top: number, width: number): string {
  const labelWidth = 190;
  const barArea = width - labelWidth - 110;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const parts = [`<text x="20" y="${top + 18}" font-size="15" font-weight="600">${escapeXml(title)}</text>`];
  bars.forEach((bar, i) => {
    const y = top + 32 + i * 28;
    const w = Math.max(1, (bar.value / max) * barArea);
    parts.push(`<text x="${labelWidth - 10}" y="${y + 15}" font-size="13" text-anchor="end">${escapeXml(LABELS[bar.target])}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="20" rx="3" fill="${COLORS[bar.target]}"/>`);
    parts.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" font-size="13">${escapeXml(bar.text)}</text>`);
  });
  return parts.join('\n');
}

export function renderChart(r: BenchResults): string {
  const width = 760;
  const last = String(r.settings.connections.at(-1));
  const present = TARGETS.filter((t) => r.summary[t]);
  const gateways = present.filter((t) => t !== 'emulator');
  const emu = r.summary.emulator?.load['1'];
  const panels: { title: string; bars: Bar[] }[] = [
    {
      title: `Throughput on one core, ${last} connections (req/s, higher is better)`,
      bars: present.map((t) => ({ target: t, value: r.summary[t]!.load[last].rps, text: r.summary[t]!.load[last].rps.toLocaleString('en') })),
    },
    {
      title: 'Added latency p50 at 1 connection (ms, lower is better)',
      bars: gateways.map((t) => {
        const added = emu ? (r.summary[t]!.load['1'].p50_us - emu.p50_us) / 1000 : 0;
        return { target: t, value: Math.max(added, 0), text: `+${added.toFixed(3)} ms` };
      }),
    },
    {
      title: `CPU time per request, ${last} connections (µs, lower is better)`,
      bars: gateways.map((t) => {
        const cpu = r.summary[t]!.load[last].cpu_us_per_request ?? 0;
        return { target: t, value: cpu, text: `${cpu} µs` };
      }),
    },
  ];
  let y = 50;
  const body: string[] = [];
  for (const p of panels) {
    body.push(panel(p.title, p.bars, y, width));
    y += 44 + p.bars.length * 28;
  }
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" fill="#1f2933">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="17" font-weight="700">Gateway overhead, ${escapeXml(r.date.slice(0, 10))} (${escapeXml(r.machine.cpu)}, ${r.machine.nproc} cores, Node ${escapeXml(String(r.versions.node))})</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
