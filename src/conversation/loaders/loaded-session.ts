// What every session loader returns: the conversation, the wire format to write it back in, and
// what the file was recognised as.
import type { Conversation } from '../model.ts';

export type SessionFormat = 'chat' | 'responses';

export interface LoadedSession {
  /** The wire format output is written back in. */
  format: SessionFormat;
  conversation: Conversation;
  /** What the file was recognised as. */
  source: string;
}
