// Anthropic `stop_reason` ⇄ the neutral finish reason.
import type { FinishReason } from '../stream-events.ts';

const FINISH: Record<string, FinishReason> = { end_turn: 'stop', stop_sequence: 'stop', pause_turn: 'stop', max_tokens: 'length', model_context_window_exceeded: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };

const STOP_REASON: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

export const finishOfStopReason = (reason: unknown): FinishReason => FINISH[String(reason)] ?? 'stop';

/** The stop reason for an answer; one that made tool calls and stopped wants their results (`tool_use`). */
export const stopReasonOf = (finish: FinishReason, madeCalls: boolean): string => (madeCalls && finish === 'stop' ? 'tool_use' : STOP_REASON[finish]);
