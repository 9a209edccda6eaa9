// Server-sent-event framing for the emulator: `data:`-only frames (Chat Completions) and
// `event:` + `data:` frames (Responses), written the way OpenAI's API writes them.
import type { ServerResponse } from 'node:http';

export function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

export const dataFrame = (payload: unknown) => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;

export const namedFrame = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
