// Serves the web console's files (plain HTML, CSS and JS modules shipped in src/console/assets)
// from memory, with content types, ETags, revalidation and a strict content security policy.
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from '../http/server.ts';
import { markFirstByte } from '../http/context.ts';
import { notFound } from '../errors.ts';

const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** Every asset by its URL path below /console/ (e.g. "js/app.js"). */
export function loadConsoleAssets(dir = ASSETS_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dir)) {
    const type = CONTENT_TYPES[extname(file)];
    if (!type) continue;
    const body = readFileSync(file);
    const urlPath = relative(dir, file).split(sep).join('/');
    assets.set(urlPath, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      // HTML is always revalidated so a new release shows at once; the rest is reused for 5 minutes, then revalidated.
      cacheControl: type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300, must-revalidate',
    });
  }
  return assets;
}

/** GET/HEAD /console and /console/...: files by path; paths without an extension get the app page. */
export function consoleAssetHandler(assets: Map<string, Asset> = loadConsoleAssets()): RouteHandler {
  return async (ctx) => {
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rest = path === '/console' ? '' : path.slice('/console/'.length);
    const name = rest === '' || extname(rest) === '' ? 'index.html' : rest;
    const asset = assets.get(name);
    if (!asset) throw notFound(`No console file at ${path}.`, 'unknown_url');
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': asset.cacheControl,
      'x-request-id': ctx.id,
    };
    markFirstByte(ctx);
    if (ctx.req.headers['if-none-match'] === asset.etag) {
      ctx.res.writeHead(304, headers);
      ctx.res.end();
      return;
    }
    ctx.res.writeHead(200, { ...headers, 'content-length': String(asset.body.length) });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : asset.body);
  };
}
