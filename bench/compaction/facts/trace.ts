// The neutral trace a raw session file is read into for fact derivation (no engine involved): the
// task text, then in order every command run (with its output and outcome) and every file write.

export interface RunStep {
  kind: 'run';
  command: string;
  output: string;
  exitCode: number | null;
  failed: boolean;
}

export interface WriteStep {
  kind: 'write';
  path: string;
  /** False when the tool reported that the write did not happen. */
  applied: boolean;
}

export type Step = RunStep | WriteStep;

export interface Trace {
  task: string;
  steps: Step[];
  /** The final patch, where the file records one. */
  patch?: string;
}

/** Text of a Chat/Anthropic content value (string or blocks). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b: any) => (typeof b === 'string' ? b : typeof b?.text === 'string' ? b.text : typeof b?.content === 'string' ? b.content : Array.isArray(b?.content) ? contentText(b.content) : '')).join('\n');
}

export function parseArgs(text: unknown): Record<string, any> {
  if (text && typeof text === 'object') return text as Record<string, any>;
  try {
    const parsed = JSON.parse(String(text));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
