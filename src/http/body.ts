// Reads a request body up to the configured limit and parses it as a JSON object, turning every
// failure into a clear 4xx (413 over the limit, 400 not JSON, not an object, or a field twice).
import type { JsonObject } from '../json.ts';
import type { IncomingMessage } from 'node:http';
import { badRequest, payloadTooLarge } from '../errors.ts';
import { scanJsonObject } from './json-structure.ts';
import { inTurn } from '../loop-turns.ts';

/** The deepest nesting of objects and arrays a request body may have (real requests stay far below). */
export const MAX_BODY_DEPTH = 128;

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(payloadTooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        chunks.length = 0;
        reject(payloadTooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}


export async function readJsonObject(req: IncomingMessage, limitBytes: number): Promise<JsonObject> {
  return (await readJsonObjectAndBytes(req, limitBytes)).body;
}

/** The parsed object and the bytes it came from (forwarded as they are when nothing changed). */
export async function readJsonObjectAndBytes(req: IncomingMessage, limitBytes: number): Promise<{ body: JsonObject; raw: Buffer }> {
  const raw = await readBody(req, limitBytes);
  if (raw.length === 0) throw badRequest('The request body is empty; expected a JSON object.', null, 'invalid_json');
  // A body of megabytes is parsed in an event-loop turn of its own, not back to back with others.
  return inTurn(raw.length, () => parseJsonObject(raw));
}

function parseJsonObject(raw: Buffer): { body: JsonObject; raw: Buffer } {
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  const structure = scanJsonObject(text, MAX_BODY_DEPTH);
  if (structure.duplicateKey !== undefined) {
    const field = structure.duplicateKey.slice(0, 64);
    throw badRequest(`The request body has the field "${field}" more than once; send each field once.`, field, 'duplicate_field');
  }
  if (structure.depth > MAX_BODY_DEPTH) {
    throw badRequest(`The request body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep.`, null, 'nested_too_deep');
  }
  return { body: parsed as JsonObject, raw };
}
