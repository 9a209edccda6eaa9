// Finds the `usage` object of a whole JSON answer relayed untouched without parsing the rest
// (each format's usage object is read by its adapter; streams are tapped by the adapters' taps).

/**
 * The text of the top-level `usage` object of a whole JSON answer, found without parsing the rest:
 * every format puts it after the content, and a `"usage":` inside a string would be escaped, so
 * the last occurrence is the answer's own. Undefined when there is none or it cannot be delimited.
 */
export function usageObjectText(body: string): string | undefined {
  const key = body.lastIndexOf('"usage":');
  if (key === -1) return undefined;
  let i = key + 8;
  while (body.charCodeAt(i) === 32 || body.charCodeAt(i) === 10 || body.charCodeAt(i) === 13 || body.charCodeAt(i) === 9) i++;
  if (body[i] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < body.length; j++) {
    const c = body[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return body.slice(i, j + 1);
  }
  return undefined;
}
