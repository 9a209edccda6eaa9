// How one wire format's request parameters meet the neutral request, declared once per adapter.
// As a client format: which neutral field each parameter is decoded into, which parameters are
// accepted without being sent on, and which neutral tool kind each declared tool type becomes. As an
// upstream format: which neutral fields (and tool kinds) its requests carry, and which the relay
// takes for itself. translate/param-coverage.ts derives from these what each translation from one
// format to another carries and what it drops; nothing there is written per pair.
import type { ToolKind } from '../conversation/model.ts';
import type { NeutralRequest } from '../conversation/request.ts';

/** A field of the neutral request that parameters travel in (`tools`: the conversation's tool declarations). */
export type RequestField = Exclude<keyof NeutralRequest, 'model' | 'stream'> | 'tools';

export interface ParamCoverage {
  /** Client side: each parameter (a dotted path when only that field of an object is read) → the neutral field it is decoded into. */
  readonly decodes: Readonly<Record<string, RequestField>>;
  /**
   * Client side: parameters taken without being sent on, whatever serves them, because they do not
   * change the answer once translated (values that would are refused by `refuseTranslation`).
   */
  readonly accepts: readonly string[];
  /** Client side: each tool type a client declares (`declaredToolType`) → the neutral kind it is decoded into. */
  readonly toolKinds: Readonly<Record<string, ToolKind>>;
  /** Upstream side: the neutral fields a request encoded for an upstream of this format carries. */
  readonly carries: readonly RequestField[];
  /** Upstream side: neutral fields not sent to an upstream of this format but used by the relay itself, so not dropped. */
  readonly absorbs: readonly RequestField[];
  /** Upstream side: the tool kinds this format can offer its model; tools of other kinds are dropped. */
  readonly offersTools: readonly ToolKind[];
}
