// Per-request state on the HTTP side: the neutral request scope the use cases see
// (request/scope.ts) plus the socket it arrived on. One usage row is written from it when the
// response closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestScope } from '../request/scope.ts';

export { markFirstByte } from '../request/scope.ts';
export { USAGE_STRING_MAX, usageRowOf } from '../request/usage-row.ts';

export interface RequestContext extends RequestScope {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}
