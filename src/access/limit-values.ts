// The limits a key or group may carry (requests and tokens per minute, concurrency, token and
// cost quotas), apart from the limiter and the quota ledger so both can name them.
export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  quotaTokens?: number;
  quotaUsd?: number;
}
