// Server-sent-event framing for the emulator: `data:`-only frames (Chat Completions) and
// `event:` + `data:` frames (Responses), written the way OpenAI's API writes them.
import type { ServerResponse } from 'node:http';

export function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

export const dataFrame = (payload: unknown) => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;

export const namedFrame = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

export interface FrameOptions {
  delayMs: number;
  /** Cut the connection after this many frames (a truncated stream). */
  stopAfter?: number;
  /** Send a broken frame before this frame index. */
  malformedAt?: number;
  malformedFrame?: string;
}

/** Writes frames with an optional delay between them, cutting or corrupting the stream on request. */
export async function writeFrames(res: ServerResponse, frames: string[], options: FrameOptions): Promise<void> {
  openStream(res);
  for (let i = 0; i < frames.length; i++) {
    if (options.stopAfter !== undefined && i >= options.stopAfter) {
      // Let what was written reach the client, then cut the connection mid-stream.
      await new Promise((r) => setTimeout(r, 30));
      res.socket?.destroy();
      return;
    }
    if (options.malformedAt === i && options.malformedFrame) res.write(options.malformedFrame);
    res.write(frames[i]);
    if (options.delayMs > 0) await new Promise((r) => setTimeout(r, options.delayMs));
  }
  res.end();
}
