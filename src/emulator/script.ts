// What the emulated model answers: scripted replies queued by a test (text, tool calls, usage
// overrides, errors), or by default a short deterministic text; plus token estimates.
export interface ScriptedToolCall {
  name: string;
  arguments: string;
  callId?: string;
}

export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { input?: number; output?: number; total?: number; cached?: number };
  /** Answer with this HTTP status and error instead of a reply. */
  status?: number;
  /** The reply stops at the output limit (`finish_reason: "length"`, `stop_reason: "max_tokens"`, `status: "incomplete"`). */
  truncated?: boolean;
  error?: { message: string; type?: string; code?: string };
  /** Answer with exactly these bytes (status 200, `rawContentType` or JSON): a hostile or broken upstream. */
  rawBody?: string;
  rawContentType?: string;
}

export interface PlannedReply {
  text: string;
  toolCalls: Required<ScriptedToolCall>[];
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  truncated: boolean;
}

/** A cheap stand-in for a tokenizer: about four characters per token, never zero. */
/** Tokens of a text of `chars` characters, as the emulator counts them (four characters a token). */
export const tokensOfChars = (chars: number) => Math.max(1, Math.ceil(chars / 4));
export const estimateTokens = (text: string) => tokensOfChars(text.length);

let callCounter = 0;

/** Why the reply ended, in Chat Completions terms. */
export const finishReasonOf = (plan: PlannedReply) => (plan.truncated ? 'length' : plan.toolCalls.length ? 'tool_calls' : 'stop');

export function planReply(script: ScriptedReply | undefined, requestText: string, defaultText: string): PlannedReply {
  const text = script?.text ?? (script?.toolCalls?.length ? '' : defaultText);
  const toolCalls = (script?.toolCalls ?? []).map((c) => ({ name: c.name, arguments: c.arguments, callId: c.callId ?? `call_emu_${++callCounter}` }));
  const inputTokens = script?.usage?.input ?? estimateTokens(requestText);
  const outputTokens = script?.usage?.output ?? estimateTokens(text + toolCalls.map((c) => c.name + c.arguments).join(''));
  return {
    text,
    toolCalls,
    inputTokens,
    outputTokens,
    totalTokens: script?.usage?.total ?? inputTokens + outputTokens,
    cachedTokens: script?.usage?.cached ?? 0,
    truncated: script?.truncated === true,
  };
}

/** Splits a reply into a few stream deltas, like a model emitting tokens. */
export function deltasOf(text: string, pieces = 4): string[] {
  if (!text) return [];
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
