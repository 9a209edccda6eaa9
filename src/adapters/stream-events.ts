// The neutral stream: what any upstream's streamed answer says, as a sequence of small events.
// Each adapter decodes its wire answers (whole or streamed) into these and encodes these into its
// wire answers; a translated answer is one adapter's decoder feeding another's encoder.
import type { Usage } from '../conversation/model.ts';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'tool_call_start'; index: number; callId: string; name: string; custom: boolean }
  | { type: 'tool_call_args'; index: number; delta: string }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'usage'; usage: Usage }
  | { type: 'error'; code: string; message: string };
