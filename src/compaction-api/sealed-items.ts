// Finds compaction state in a Responses `input` before it goes upstream: relay-sealed compaction
// items are opened (for the calling key and model family only) and replaced by the summary text
// they stand for; upstream-minted blobs (compaction or reasoning) are reported so the request can
// be pinned to their issuer.
import type { CompactionSealer, SealBinding } from './sealing.ts';
import { isRelaySealed } from './sealing.ts';
import { SUMMARY_MESSAGE_PREFIX } from '../compaction/index.ts';
import { badRequest } from '../errors.ts';

/** The text that introduces a relay summary to the model, wherever a sealed item is expanded. */
export const SUMMARY_PREFIX = SUMMARY_MESSAGE_PREFIX;

export interface InputInspection {
  /** The input with every relay-sealed item replaced by a summary message (same array if none). */
  input: unknown[];
  expanded: number;
  /** Upstream-minted compaction blobs: only their issuer can read them. */
  upstreamCompaction: string[];
  /** Reasoning items carrying upstream encrypted content. */
  upstreamReasoning: number;
  /** Every upstream-minted blob (compaction and reasoning), to find the channel that minted them. */
  upstreamBlobs: string[];
}

const isCompactionType = (type: unknown) => type === 'compaction' || type === 'compaction_summary';

export function summaryMessage(summary: string): Record<string, unknown> {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text: SUMMARY_PREFIX + summary }] };
}

export function inspectInput(input: unknown[], sealer: CompactionSealer, binding: SealBinding): InputInspection {
  let replaced: unknown[] | undefined;
  let expanded = 0;
  const upstreamCompaction: string[] = [];
  let upstreamReasoning = 0;
  const upstreamBlobs: string[] = [];
  input.forEach((item: any, index) => {
    if (!item || typeof item !== 'object') return;
    if (isCompactionType(item.type)) {
      const blob = item.encrypted_content;
      if (isRelaySealed(blob)) {
        const opened = sealer.open(blob, binding, `input[${index}].encrypted_content`);
        replaced ??= input.slice();
        replaced[index] = summaryMessage(opened.summary);
        expanded++;
      } else if (typeof blob === 'string' && blob) {
        upstreamCompaction.push(blob);
        upstreamBlobs.push(blob);
      }
    } else if (isRelaySealed(item.encrypted_content)) {
      // The relay seals only compaction items: one found anywhere else is never sent upstream.
      throw badRequest('Only compaction items carry the relay\'s sealed content.', `input[${index}].encrypted_content`, 'invalid_encrypted_content');
    } else if (item.type === 'reasoning' && typeof item.encrypted_content === 'string' && item.encrypted_content) {
      upstreamReasoning++;
      upstreamBlobs.push(item.encrypted_content);
    }
  });
  return { input: replaced ?? input, expanded, upstreamCompaction, upstreamReasoning, upstreamBlobs };
}

/** Removes upstream encrypted reasoning that the chosen upstream could not read (summaries stay). */
export function stripForeignReasoning(input: unknown[]): unknown[] {
  return input.flatMap((item: any) => {
    if (item?.type !== 'reasoning' || typeof item.encrypted_content !== 'string') return [item];
    const { encrypted_content: _blob, ...rest } = item;
    return Array.isArray(rest.summary) && rest.summary.length > 0 ? [rest] : [];
  });
}

/** True when a Responses input ends with Codex's compaction trigger. */
export function endsWithCompactionTrigger(input: unknown): boolean {
  return Array.isArray(input) && input.length > 0 && (input[input.length - 1] as any)?.type === 'compaction_trigger';
}
