import { createHash, randomBytes } from 'node:crypto';

// The single-use tokens of the links mailed to an account (password reset, email verification):
// 32 random bytes, of which only a SHA-256 is stored (a fast hash suffices for 256 random bits; a
// leaked table gives no usable link). The port, and its PostgreSQL adapter beside it.
export type AccountTokenPurpose = 'password-reset' | 'email-verification';

export interface AccountTokenStore {
  /** Stores a token's hash, valid for `ttlMs`; the purpose's earlier unused tokens of this user stop working (only the newest link does). */
  issue(token: { tokenHash: string; userId: string; purpose: AccountTokenPurpose; ttlMs: number }): Promise<void>;
  /**
   * Uses a token once: the user id of an unused, unexpired token of this purpose, which is now
   * used (and so are the user's other tokens of the purpose); null for an unknown, used or expired one.
   */
  consume(tokenHash: string, purpose: AccountTokenPurpose): Promise<string | null>;
}

/** The adapter's part the erasure worker uses (workers/erasure/): every token of the account goes. */
export interface ErasableAccountTokenStore extends AccountTokenStore {
  erase(userId: string): Promise<void>;
}

export const newAccountToken = (): string => randomBytes(32).toString('base64url');

export const hashAccountToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
