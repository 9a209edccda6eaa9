// Renders the abuse suite's results as docs/benchmarks/abuse.md: what was tried, how much was
// sent, and what was observed, with every target stated as met or not.
import type { AbuseReport } from './suite.ts';

const yes = (ok: boolean) => (ok ? 'met' : '**not met**');

export function renderAbusePage(report: AbuseReport, args: string): string {
  const { attacks, fuzz, soak } = report;
  const held = attacks.filter((a) => a.held === true).length;
  const broke = attacks.filter((a) => a.held === false).length;
  const crossTenant = attacks.find((a) => a.id === '12.1');
  const lines = [
    '# Abuse and isolation suite',
    '',
    `Run of ${report.startedAt} with \`npm run bench:abuse${args ? ' -- ' + args : ''}\`: one relay process`,
    `(heap capped at ${report.options.heapMb} MB, SQLite store) on loopback, in front of the bundled upstream`,
    'emulator behind a faulty network; every attack comes from a tenant\'s API key or from no key.',
    `${report.totalRequests.toLocaleString('en-US')} requests in all.`,
    '',
    '## Targets',
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| 0 crashes | ${report.crashes}${report.crashDetail ? ` (${report.crashDetail.slice(0, 200).replace(/\|/g, '\\|').replace(/\n/g, ' ')})` : ''} | ${yes(report.crashes === 0)} |`,
    `| 0 relay-made 5xx (fuzz with a healthy upstream; soak excluding faults the network injected) | fuzz ${fuzz.relayMade5xx}, soak ${soak.relayMade5xx} | ${yes(fuzz.relayMade5xx + soak.relayMade5xx === 0)} |`,
    `| every rejection in the OpenAI shape | ${fuzz.notOpenAIShaped} not | ${yes(fuzz.notOpenAIShaped === 0)} |`,
    `| no cross-tenant access | ${crossTenant ? crossTenant.observed : 'not run'} | ${yes(crossTenant?.held === true)} |`,
    `| soak: RSS growth < 10% (from a tenth of the way in to the end) | ${soak.rss.start.toFixed(0)} → ${soak.rss.end.toFixed(0)} MB (${soak.rss.growthPct.toFixed(1)}%, peak ${soak.rss.peak.toFixed(0)} MB) | ${yes(soak.seconds > 0 && soak.rss.growthPct < 10)} |`,
    `| soak: no file-descriptor growth (from a tenth of the way in to the end, idle connections closed) | ${soak.fds.start} → ${soak.fds.end} (peak ${soak.fds.peak}) | ${yes(soak.seconds > 0 && soak.fds.end <= soak.fds.start)} |`,
    `| usage rows lost | ${soak.rowsLost} (${soak.answered} answers, ${soak.usageRows} rows) | ${yes(soak.seconds > 0 && soak.rowsLost === 0)} |`,
    `| every attack held | ${held} held, ${broke} broke, ${attacks.length - held - broke} not reproduced | ${yes(broke === 0)} |`,
    '',
    '## Attacks',
    '',
    '| issue item | attack | requests | held | observed |',
    '|---|---|---|---|---|',
    ...attacks.map((a) => `| ${a.id} | ${a.attack} | ${a.requests} | ${a.held === null ? 'n/a' : a.held ? 'yes' : '**no**'} | ${a.observed.replace(/\|/g, '\\|')} |`),
    '',
    '## Fuzzer',
    '',
    `${fuzz.requests.toLocaleString('en-US')} generated requests (paths, methods, headers, bodies; fast-check, fixed seeds), 32 at a time.`,
    `Statuses: ${Object.entries(fuzz.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}.`,
    ...(fuzz.examples.length ? ['', 'Examples of failures:', '', ...fuzz.examples.map((e) => `- \`${e.replace(/`/g, "'")}\``)] : []),
    '',
    '## Soak',
    '',
    `${soak.seconds} s, 16 clients, whole and streamed Chat and Responses calls; ${(soak.faultRate * 100).toFixed(0)}% of upstream calls faulted by the network`,
    `(${Object.entries(soak.faultsInjected).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'}). ${soak.requests.toLocaleString('en-US')} requests;`,
    `statuses ${Object.entries(soak.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}.`,
    ...(soak.examples.length ? ['', 'Relay-made 5xx examples:', '', ...soak.examples.map((e) => `- \`${e.replace(/`/g, "'")}\``)] : []),
    '',
  ];
  return lines.join('\n');
}
