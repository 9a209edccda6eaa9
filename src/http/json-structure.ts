// The structure of a JSON body, read in one pass over its text without parsing it a second time:
// a key written twice at the top level (JSON.parse keeps the last while an upstream receiving the
// same bytes may keep the first, so {"model":"allowed","model":"other"} must be refused, not
// forwarded) and how deeply it nests (recursive code, JSON.stringify included, overflows the stack
// on a body nested a million levels deep). Strings are skipped with indexOf; only top-level keys
// are decoded.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isBlank = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the quote closing the string whose content starts at `from`. */
function stringEnd(text: string, from: number): number {
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

export interface JsonStructure {
  /** The first top-level key that appears more than once, decoded as JSON.parse decodes it (`"mod\u0065l"` is `model`). */
  duplicateKey?: string;
  /** The deepest nesting of objects and arrays seen (the top-level object is 1), up to `maxDepth + 1`. */
  depth: number;
}

/** Scans `text`, a JSON object that already parsed; stops early once nesting passes `maxDepth`. */
export function scanJsonObject(text: string, maxDepth = Infinity): JsonStructure {
  const seen = new Set<string>();
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i + 1);
      if (depth === 1) {
        let next = end + 1;
        while (isBlank(text.charCodeAt(next))) next++;
        if (text.charCodeAt(next) === COLON) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
          if (seen.has(key)) return { duplicateKey: key, depth: deepest };
          seen.add(key);
        }
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) return { depth: deepest };
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return { depth: deepest };
}
