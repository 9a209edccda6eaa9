// The admin token: taken from COMPACT_RELAY_ADMIN_TOKEN, or generated at first start and stored
// only as a sha256 hash (re-read each second, so a rotated token takes over on running servers);
// checked in constant time on every admin API call. API keys never pass.
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

/** How long a server trusts the stored token hash before reading it again (a rotation takes effect within this). */
const STORED_HASH_TTL_MS = 1000;

export class AdminAuth {
  private tokenHash: string;
  private readonly source: AdminIdentity['source'];
  private readonly store: AdminStore | undefined;
  private checkedAt = Date.now();
  /** The token created at this start, to print once; undefined when it came from the environment or an earlier start. */
  readonly generatedToken: string | undefined;

  private constructor(tokenHash: string, source: AdminIdentity['source'], store?: AdminStore, generatedToken?: string) {
    this.tokenHash = tokenHash;
    this.source = source;
    this.store = store;
    this.generatedToken = generatedToken;
  }

  get identity(): AdminIdentity {
    return { actor: `admin:${this.tokenHash.slice(0, 12)}`, source: this.source };
  }

  /** A new token, to show once, and the hash to store for it. */
  static newToken(): { token: string; hash: string } {
    const token = ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return { token, hash: sha256(token) };
  }

  /** Uses the configured token when given; otherwise the stored hash, creating a token on first start. */
  static async load(store: AdminStore, configuredToken?: string): Promise<AdminAuth> {
    const configured = configuredToken?.trim();
    if (configured) {
      if (configured.length < 16) throw new Error('COMPACT_RELAY_ADMIN_TOKEN must be at least 16 characters long.');
      return new AdminAuth(sha256(configured), 'env');
    }
    const stored = await store.readAdminTokenHash();
    if (stored) return new AdminAuth(stored, 'generated', store);
    const { token, hash: mine } = AdminAuth.newToken();
    const inForce = await store.claimAdminTokenHash(mine);
    return new AdminAuth(inForce, 'generated', store, inForce === mine ? token : undefined);
  }

  /** Re-reads a stored token's hash at most once per STORED_HASH_TTL_MS, so `admin-token --rotate` reaches running servers. */
  private async currentHash(): Promise<string> {
    if (this.store && Date.now() - this.checkedAt >= STORED_HASH_TTL_MS) {
      this.checkedAt = Date.now();
      this.tokenHash = (await this.store.readAdminTokenHash()) ?? this.tokenHash;
    }
    return this.tokenHash;
  }

  /** The caller's identity, or a 401 when the bearer token is missing or is not the admin token. */
  async verify(headers: IncomingHttpHeaders): Promise<AdminIdentity> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) throw unauthorized('Missing admin token: send it as "Authorization: Bearer <admin token>".', 'missing_admin_token');
    const expected = Buffer.from(await this.currentHash(), 'hex');
    const presented = Buffer.from(sha256(match[1]), 'hex');
    if (!timingSafeEqual(presented, expected)) throw unauthorized('Invalid admin token. API keys do not grant admin access.', 'invalid_admin_token');
    return this.identity;
  }
}
