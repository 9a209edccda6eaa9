// The admin token: taken from COMPACT_RELAY_ADMIN_TOKEN, or generated at first start and stored
// only as a sha256 hash; checked in constant time on every admin API call. API keys never pass.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../errors.ts';
import type { AdminStore } from '../store/admin-store.ts';

export const ADMIN_TOKEN_PREFIX = 'cra-admin-';

/** Who is calling the admin API, as written into the audit log. */
export interface AdminIdentity {
  /** `admin:<first 12 hex of the token's hash>`: stable, identifies the token, reveals nothing. */
  actor: string;
  source: 'env' | 'generated';
}

const sha256 = (text: string) => hash('sha256', text, 'hex');

export class AdminAuth {
  private readonly tokenHash: Buffer;
  readonly identity: AdminIdentity;
  /** The token created at this start, to print once; undefined when it came from the environment or an earlier start. */
  readonly generatedToken: string | undefined;

  private constructor(tokenHash: string, source: AdminIdentity['source'], generatedToken?: string) {
    this.tokenHash = Buffer.from(tokenHash, 'hex');
    this.identity = { actor: `admin:${tokenHash.slice(0, 12)}`, source };
    this.generatedToken = generatedToken;
  }

  /** Uses the configured token when given; otherwise the stored hash, creating a token on first start. */
  static async load(store: AdminStore, configuredToken?: string): Promise<AdminAuth> {
    const configured = configuredToken?.trim();
    if (configured) {
      if (configured.length < 16) throw new Error('COMPACT_RELAY_ADMIN_TOKEN must be at least 16 characters long.');
      return new AdminAuth(sha256(configured), 'env');
    }
    const stored = await store.readAdminTokenHash();
    if (stored) return new AdminAuth(stored, 'generated');
    const token = ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const mine = sha256(token);
    const inForce = await store.claimAdminTokenHash(mine);
    return new AdminAuth(inForce, 'generated', inForce === mine ? token : undefined);
  }

  /** The caller's identity, or a 401 when the bearer token is missing or is not the admin token. */
  verify(headers: IncomingHttpHeaders): AdminIdentity {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) throw unauthorized('Missing admin token: send it as "Authorization: Bearer <admin token>".', 'missing_admin_token');
    const presented = Buffer.from(sha256(match[1]), 'hex');
    if (!timingSafeEqual(presented, this.tokenHash)) throw unauthorized('Invalid admin token. API keys do not grant admin access.', 'invalid_admin_token');
    return this.identity;
  }
}
