// L1, applied to every tool output on first sight and identically on every later sight (so the
// forwarded prefix stays cache-friendly): strip terminal noise, fold repeats, cap long outputs
// keeping head, tail and error lines, with a marker saying what was cut and how to see it again.
import { countTextTokens, hashText } from './tokens.ts';

// eslint-disable-next-line no-control-regex -- terminal escape sequences are exactly what this strips
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[@-Z\\-_]/g;
export const ERROR_LINE = /(error|exception|traceback|failed|failure|fatal|panic|assertion|cannot |denied|not found|undefined is not|segmentation fault)|^E\s{2,}|✗|✖/i;

const cache = new Map<string, string>();
const CACHE_LIMIT = 50_000;
/** Characters the cache may hold in all (keys and normalized texts): a client cannot fill memory with outputs. */
const CACHE_CHAR_BUDGET = 32 * 1024 * 1024;
let cacheChars = 0;

function stripNoise(text: string): string {
  let out = text.replace(ANSI, '');
  if (out.includes('\r')) out = out.split('\n').map((line) => (line.includes('\r') ? line.split('\r').filter(Boolean).pop() ?? '' : line)).join('\n');
  return out;
}

function foldRepeats(lines: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    let j = i + 1;
    while (j < lines.length && lines[j] === lines[i]) j++;
    out.push(lines[i]);
    if (j - i > 2) out.push(`[… the line above repeated ${j - i - 1} more times]`);
    else if (j - i === 2) out.push(lines[i]);
    i = j;
  }
  return out;
}

function capLines(lines: string[], capTokens: number): string[] {
  const headCount = Math.max(10, Math.floor(lines.length * 0.1));
  let head = lines.slice(0, headCount);
  let tail = lines.slice(-Math.max(20, Math.floor(lines.length * 0.15)));
  const middle = lines.slice(head.length, lines.length - tail.length);
  let errors = middle.filter((l) => ERROR_LINE.test(l)).slice(0, 40);
  const budgetChars = capTokens * 3;
  const size = (ls: string[]) => ls.reduce((n, l) => n + l.length + 1, 0);
  while (size(head) + size(tail) + size(errors) > budgetChars && (head.length > 3 || tail.length > 5 || errors.length > 5)) {
    if (errors.length > 5) errors = errors.slice(-Math.ceil(errors.length / 2));
    if (head.length > 3) head = head.slice(0, Math.ceil(head.length / 2));
    if (tail.length > 5) tail = tail.slice(-Math.ceil(tail.length / 2));
  }
  const cut = lines.length - head.length - tail.length - errors.length;
  const marker = `[… ${cut} lines cut by the gateway to save context${errors.length ? `; ${errors.length} error lines kept below` : ''}. Re-run the command or re-read the file to see them.]`;
  const clip = (l: string) => (l.length > 2000 ? `${l.slice(0, 1000)} [… ${l.length - 1500} chars cut …] ${l.slice(-500)}` : l);
  return [...head, marker, ...errors, ...(errors.length ? ['[… end of kept error lines]'] : []), ...tail].map(clip);
}

/** Forgets every cached normalization (benchmarks measuring cold runs). */
export function clearNormalizeCache(): void {
  cache.clear();
  cacheChars = 0;
}

/** Normalizes one tool output; the result depends only on the text and the cap. */
export function normalizeToolOutput(text: string, capTokens: number): string {
  const key = `${capTokens}:${hashText(text)}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let lines = foldRepeats(stripNoise(text).split('\n'));
  let out = lines.join('\n');
  if (countTextTokens(out) > capTokens) {
    lines = capLines(lines, capTokens);
    out = lines.join('\n');
  }
  const size = key.length + out.length;
  if (size > CACHE_CHAR_BUDGET / 16) return out;
  while (cache.size > 0 && (cache.size >= CACHE_LIMIT || cacheChars + size > CACHE_CHAR_BUDGET)) {
    const oldest = cache.keys().next().value as string;
    cacheChars -= oldest.length + (cache.get(oldest)?.length ?? 0);
    cache.delete(oldest);
  }
  cache.set(key, out);
  cacheChars += size;
  return out;
}
