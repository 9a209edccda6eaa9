// Taps a chat stream relayed untouched: usage from the usage chunk, completion at `[DONE]`, and
// which chunk is the usage report the relay asked for on the client's behalf.
import type { Usage } from '../../conversation/model.ts';
import type { StreamTap, StreamTapOptions, TapReading } from '../adapter.ts';
import { usageFromChat } from './usage.ts';

/** Usage from a chat stream event's data, or undefined; cheap for the many chunks without usage. */
function usageFromChatEvent(data: string): Usage | undefined {
  if (!data.includes('"usage":{')) return undefined;
  try {
    return usageFromChat(JSON.parse(data).usage);
  } catch {
    return undefined;
  }
}

/** True for a chat chunk that carries only usage (`choices: []`), the one include_usage adds. */
function isUsageOnlyChatChunk(data: string): boolean {
  try {
    const parsed = JSON.parse(data);
    return Array.isArray(parsed.choices) && parsed.choices.length === 0 && !!parsed.usage;
  } catch {
    return false;
  }
}

export function chatStreamTap(options: StreamTapOptions): StreamTap {
  return {
    nextSequence: 0,
    isError: (event, data) => event === 'error' || data.includes('"error":{'),
    read(_event, data): TapReading {
      if (data === '[DONE]') return { complete: true };
      const usage = usageFromChatEvent(data);
      if (!usage) return {};
      return { usage, hiddenUsageReport: options.hideUsageReport && isUsageOnlyChatChunk(data) };
    },
  };
}
