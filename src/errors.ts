// The one error family of the relay: every failure a client can see is a GatewayError carrying its
// HTTP status and OpenAI error type/code; the HTTP edge maps it once into the OpenAI error shape.

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'not_implemented_error';

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: OpenAIErrorType | string;
  readonly code: string | null;
  readonly param: string | null;
  /** Extra response headers (for example `retry-after`). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: OpenAIErrorType | string,
    code: string | null,
    message: string,
    options: { param?: string | null; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new GatewayError(400, 'invalid_request_error', code, message, { param });

export const unauthorized = (message: string, code = 'invalid_api_key') =>
  new GatewayError(401, 'authentication_error', code, message);

export const forbidden = (message: string, code = 'model_not_allowed', param: string | null = 'model') =>
  new GatewayError(403, 'permission_error', code, message, { param });

export const notFound = (message: string, code = 'not_found', param: string | null = null) =>
  new GatewayError(404, 'not_found_error', code, message, { param });

export const payloadTooLarge = (limitBytes: number) =>
  new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body exceeds the limit of ${limitBytes} bytes.`);

export const rateLimited = (message: string, retryAfterSeconds: number, code = 'rate_limit_exceeded') =>
  new GatewayError(429, 'rate_limit_error', code, message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });

/** A request that can never fit a token limit: 429 like OpenAI's "Request too large", marked not worth retrying. */
export const tooLargeForLimit = (message: string) =>
  new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', message, { headers: { 'x-should-retry': 'false' } });

export const quotaExceeded = (message: string) =>
  new GatewayError(429, 'insufficient_quota', 'insufficient_quota', message);

export const notImplemented = (message: string, code: string) =>
  new GatewayError(501, 'not_implemented_error', code, message);

export const badGateway = (message: string, code = 'upstream_error', cause?: unknown) =>
  new GatewayError(502, 'upstream_error', code, message, { cause });

/** A 503, with `retry-after` (seconds) telling clients when trying again may help. */
export const unavailable = (message: string, code = 'no_available_channel', retryAfterSeconds = 5) =>
  new GatewayError(503, 'server_error', code, message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });

export const gatewayTimeout = (message: string, code = 'upstream_timeout') =>
  new GatewayError(504, 'timeout_error', code, message);

/** Any thrown value as a GatewayError; unknown errors become a 500 with a generic message. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(500, 'server_error', 'internal_error', 'The relay hit an internal error.', { cause: err });
}
