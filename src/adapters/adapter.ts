// What every wire-format adapter provides, the way an AI SDK provider does: its request codec
// (body ⇄ neutral request), its answer codecs in both directions (whole and streamed, through
// neutral stream events), usage, the error frame that ends a broken stream, and how its upstreams
// authenticate. A translation is `decodeRequest` on one adapter and `encodeRequest` on another.
import type { JsonObject } from '../json.ts';
import type { Conversation, Usage, WireFormat } from '../conversation/model.ts';
import type { DropReport } from '../conversation/drop-report.ts';
import type { NeutralRequest } from '../conversation/request.ts';
import type { ChannelRecord, ChannelType } from '../store/catalog-store.ts';
import type { StreamEvent } from './stream-events.ts';
import type { ParamCoverage } from './params.ts';

/** Reads one upstream wire stream (SSE event name and data) as neutral events. */
export interface AnswerStreamDecoder {
  decode(event: string | undefined, data: string): StreamEvent[];
  /** True once the stream said it is complete. */
  readonly done: boolean;
}

/** A finished answer as later turns refer to it (Responses clients: `previous_response_id`). */
export interface KeptAnswer {
  id: string;
  status: string;
  output: unknown[];
}

/** Writes neutral events as the client's wire stream. */
export interface AnswerStreamEncoder {
  /** The frames for one event ('' when it adds nothing yet). */
  encode(event: StreamEvent): string;
  /** The closing frames, once the upstream finished. */
  finish(): string;
  /** The answer as finished, for formats whose answers are kept for later turns. */
  result?(): KeptAnswer;
}

/** Encodes an upstream's answer for one client request, streamed or whole. */
export interface AnswerEncoder {
  stream(): AnswerStreamEncoder;
  whole(events: StreamEvent[]): Record<string, unknown>;
}

/** What a client request asked, for encoding the answer in its format. */
export interface ClientRequest {
  /** The body as the client sent it. */
  body: JsonObject;
  /** The same, decoded. */
  request: NeutralRequest;
  /** The model name as the client asked for it (echoed back). */
  model: string;
}

/** What one event of a stream relayed untouched says, as far as the relay needs to know. */
export interface TapReading {
  usage?: Usage;
  /** The stream says it is complete. */
  complete?: boolean;
  /** The upstream ended the stream with an error event of its own. */
  failed?: boolean;
  /** A usage report only, which the relay asked for and the client did not: not passed on. */
  hiddenUsageReport?: boolean;
  /** Encrypted blobs (compaction, reasoning) the upstream minted in this event. */
  encryptedContents?: string[];
}

export interface StreamTapOptions {
  /** The relay asked for the usage report the client did not: say which events are that report. */
  hideUsageReport: boolean;
  /** Read encrypted blobs minted in the stream. */
  encryptedContents: boolean;
}

/** Reads usage and completion from a stream relayed untouched, event by event, parsing as little as it can. */
export interface StreamTap {
  /** Whether an event reports an error (its text is redacted before it is passed on). */
  isError(event: string | undefined, data: string): boolean;
  read(event: string | undefined, data: string): TapReading;
  /** The sequence number an event appended to the stream must carry (0 where the format has none). */
  readonly nextSequence: number;
}

export interface WireAdapter {
  readonly format: WireFormat;
  /** The type of the channels that speak this format. */
  readonly channelType: ChannelType;
  /** The path clients call, on the relay. */
  readonly clientPath: string;
  /** The path called on an upstream, after its base URL. */
  readonly upstreamPath: string;
  /** How error messages name this API ("over Chat Completions"). */
  readonly apiName: string;
  /** How error messages name an upstream of this format ("served by an Anthropic upstream"). */
  readonly upstreamName: string;

  /** Which request parameters this format carries, as a client and as an upstream (translate/param-coverage.ts derives each translation's). */
  readonly params: ParamCoverage;

  /** Refuses (400) a client body in this format whose shape cannot be served, before any upstream is chosen. */
  checkBody(body: JsonObject): void;
  /** The conversation a body in this format carries (messages, system or instructions, tools) → the neutral conversation. */
  decodeConversation(body: JsonObject): Conversation;
  /** The neutral conversation → the body fields that carry it in this format; what they cannot carry is counted in `report`. */
  encodeConversation(conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): JsonObject;
  /** A client body in this format → the neutral request (400 for a malformed parameter). */
  decodeRequest(body: JsonObject): NeutralRequest;
  /** The neutral request → a body for an upstream of this format served by one of `candidates`. */
  encodeRequest(request: NeutralRequest, candidates: ChannelRecord[]): JsonObject;
  /** Refuses (501), before any upstream is called, what a translation to `upstream` could only answer with a different shape. */
  refuseTranslation(body: JsonObject, upstream: WireAdapter): void;
  /** The type a tool declared in this format has (`tools[<type>]` when it is dropped). */
  declaredToolType(tool: unknown): string;
  /**
   * A body forwarded to an upstream of this format untouched: makes a stream report its usage;
   * true when the client did not ask for that report itself (the relay then hides it).
   */
  askStreamUsage(body: JsonObject): boolean;

  /** A whole upstream answer in this format → neutral events. */
  decodeAnswer(answer: unknown): StreamEvent[];
  /** A decoder for one upstream stream in this format. */
  streamDecoder(): AnswerStreamDecoder;
  /** An encoder of answers in this format for one client request. */
  answerEncoder(client: ClientRequest): AnswerEncoder;

  /** An answer's `usage` object in this format → neutral usage. */
  usageOf(usage: unknown): Usage | undefined;
  /** Encrypted blobs an upstream minted in a whole answer of this format. */
  encryptedContentsOf(answer: unknown): string[];
  /** A tap on one stream in this format relayed untouched. */
  streamTap(options: StreamTapOptions): StreamTap;
  /** The event that ends a stream in this format when the upstream fails after the first byte. */
  streamErrorFrame(code: string, message: string, sequenceNumber?: number): string;
  /** Headers that authenticate a call to an upstream of this format (`headers`: those already chosen). */
  authHeaders(apiKey: string | undefined, headers: Record<string, string>): Record<string, string>;
}
