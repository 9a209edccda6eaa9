// Taps a Responses stream relayed untouched: usage from the terminal event, completion at
// response.completed / incomplete / failed, encrypted blobs from finished output items, and the
// sequence number an event the relay appends must carry.
import type { Usage } from '../../conversation/model.ts';
import type { StreamTap, StreamTapOptions, TapReading } from '../adapter.ts';
import { encryptedContentsOf } from './answer.ts';
import { usageFromResponses } from './usage.ts';

const SEQUENCE = /"sequence_number":\s*(\d+)/;
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Usage from a Responses stream event, or undefined; only terminal events are parsed. */
function usageFromResponsesEvent(event: string | undefined, data: string): Usage | undefined {
  if (event !== undefined && !TERMINAL.has(event)) return undefined;
  if (event === undefined && !data.includes('"response.')) return undefined;
  try {
    const parsed = JSON.parse(data);
    if (!TERMINAL.has(parsed.type)) return undefined;
    return usageFromResponses(parsed.response?.usage);
  } catch {
    return undefined;
  }
}

export function responsesStreamTap(options: StreamTapOptions): StreamTap {
  let nextSequence = 0;
  return {
    get nextSequence() {
      return nextSequence;
    },
    isError: (event) => event === 'error' || event === 'response.failed',
    read(event, data): TapReading {
      const sequence = SEQUENCE.exec(data);
      if (sequence) nextSequence = Number(sequence[1]) + 1;
      const reading: TapReading = { usage: usageFromResponsesEvent(event, data) };
      if (options.encryptedContents && event === 'response.output_item.done' && data.includes('"encrypted_content"')) {
        try {
          reading.encryptedContents = encryptedContentsOf(JSON.parse(data).item);
        } catch {
          // a malformed event carries nothing to remember
        }
      }
      if (TERMINAL.has(event ?? '') || data.includes('"type":"response.completed"')) reading.complete = true;
      return reading;
    },
  };
}
