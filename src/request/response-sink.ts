// Where a use case writes its answer, without knowing the transport: a whole JSON body, or an
// event stream written chunk by chunk with back-pressure. http/response-sink.ts implements it
// over node:http; tests implement it in memory.

/** An answer being streamed (SSE bytes, already framed). */
export interface EventStream {
  /** Writes bytes; false when the client's buffer is full: wait for `drained()` before writing more. */
  write(chunk: string | Uint8Array): boolean;
  /** Resolves when the client's buffer has room again, or the request was aborted. */
  drained(): Promise<void>;
  /** Writes the last bytes, if any, and ends the answer. */
  end(chunk?: string): void;
}

export interface ResponseSink {
  /** Sets a header on an answer not yet started (added to the headers it starts with). */
  setHeader(name: string, value: string): void;
  /** Answers with one JSON body (a string is sent as it is). */
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Starts an event-stream answer and returns where its events are written. */
  startEventStream(status?: number, headers?: Record<string, string>): EventStream;
}

/** The sink of a request that has no client to answer (a summarizer call the relay makes itself): any write is a bug. */
export const NO_CLIENT_SINK: ResponseSink = {
  setHeader() {
    throw new Error('this request has no client to answer');
  },
  sendJson() {
    throw new Error('this request has no client to answer');
  },
  startEventStream() {
    throw new Error('this request has no client to answer');
  },
};
