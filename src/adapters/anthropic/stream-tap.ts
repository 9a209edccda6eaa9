// Taps an Anthropic stream relayed untouched: usage arrives in two halves (the input in
// message_start, the final output count in message_delta), completion at message_stop, and an
// `error` event ends the stream.
import type { StreamTap, TapReading } from '../adapter.ts';
import { mergeAnthropicUsage } from './usage.ts';

export function anthropicStreamTap(): StreamTap {
  let startUsage: unknown;
  return {
    nextSequence: 0,
    isError: (event) => event === 'error',
    read(event, data): TapReading {
      if (event === 'message_stop') return { complete: true };
      if (event === 'error') return { failed: true };
      if (event !== 'message_start' && event !== 'message_delta') return {};
      try {
        const parsed = JSON.parse(data);
        if (event === 'message_start') startUsage = parsed.message?.usage;
        return { usage: mergeAnthropicUsage(startUsage, event === 'message_delta' ? parsed.usage : undefined) };
      } catch {
        return {}; // a malformed event carries no usage
      }
    },
  };
}
