// Remembers which channel minted each upstream-encrypted blob (OpenAI compaction and reasoning
// items) and which API key received it, in shared state, so a later request carrying it is pinned
// to that exact channel (only the credential that minted a blob can open it) and refused when it
// comes from another key.
import { createHash } from 'node:crypto';
import type { SharedState } from '../state/state-contract.ts';

/** The part of shared state blob issuers are kept in. */
type IssuerState = Pick<SharedState, 'getAffinity' | 'setAffinity'>;
import type { Principal } from '../access/catalog.ts';
import { badRequest } from '../errors.ts';

const TTL_SECONDS = 7 * 24 * 3600;
const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
const keyOf = (blob: string) => `blob:${digest(blob)}`;
/** A short tag for the receiving key (its id and stored hash), never the key itself. */
const ownerTagOf = (principal: Principal | undefined) => (principal ? digest(`key:${principal.key.id}:${principal.key.keyHash}`).slice(0, 22) : '-');

export function rememberIssuer(state: IssuerState | undefined, blob: string, channel: string, principal: Principal | undefined): void {
  state?.setAffinity(keyOf(blob), `${channel}\n${ownerTagOf(principal)}`, TTL_SECONDS).catch(() => undefined);
}

/**
 * The channel that minted these blobs, if the relay saw any of them minted. A blob minted for
 * another key is a 400 `invalid_encrypted_content`; records without an owner are treated as unknown.
 */
export async function issuerOf(state: IssuerState | undefined, blobs: string[], principal: Principal | undefined): Promise<string | undefined> {
  if (!state || blobs.length === 0) return undefined;
  const owner = ownerTagOf(principal);
  const records = await Promise.all([...new Set(blobs)].map((blob) => state.getAffinity(keyOf(blob)).catch(() => undefined)));
  let issuer: string | undefined;
  for (const record of records) {
    const split = record?.lastIndexOf('\n') ?? -1;
    if (record === undefined || split === -1) continue;
    if (record.slice(split + 1) !== owner) {
      throw badRequest('The input carries encrypted content that was issued to another API key.', 'input', 'invalid_encrypted_content');
    }
    issuer ??= record.slice(0, split);
  }
  return issuer;
}
