// Two-factor state lives in the credentials store's database beside `credentials`, not in the
// event log: a TOTP secret is a credential (sealed here, and it must be replaceable and
// forgettable, which an append-only log is not), recovery codes and login challenges are
// single-use secrets whose use is a row update, and no read model needs any of it. The port, and
// its PostgreSQL adapter beside it (two-factor-store-postgres.ts).

export interface TwoFactorRecord {
  /** The TOTP secret sealed (events/personal-data/sealed-text.ts) under the two-factor key. */
  sealedSecret: string;
  /** Null while enrolled but not confirmed: the secret is not asked for at login. */
  enabledAt: Date | null;
  /** The TOTP step of the last code accepted (replay protection, commands/accounts/totp.ts); null if none yet. */
  lastUsedStep: number | null;
}

export interface TwoFactorStore {
  find(userId: string): Promise<TwoFactorRecord | null>;
  /** A new, unconfirmed secret, replacing an unconfirmed one; false (nothing written) when 2FA is on already. */
  enroll(userId: string, sealedSecret: string): Promise<boolean>;
  /**
   * Records `step` as used if it is later than the last used one: false when another request took
   * this step (or a later one) first, so that a code is accepted once even by racing requests.
   */
  useStep(userId: string, step: number): Promise<boolean>;
  /** Turns 2FA on with these recovery code hashes (replacing any); false when not enrolled or on already. */
  enable(userId: string, recoveryCodeHashes: readonly string[]): Promise<boolean>;
  /** Uses up one unused recovery code; false when it is unknown or used already. */
  useRecoveryCode(userId: string, codeHash: string): Promise<boolean>;
  /** Forgets the secret, the recovery codes and the pending challenges. */
  disable(userId: string): Promise<void>;
  /** Stores a login challenge (hashed) for `userId`, valid until `expiresAt`; challenges expired at `now` go. */
  addChallenge(challengeHash: string, userId: string, expiresAt: Date, now: Date): Promise<void>;
  /**
   * Counts one attempt at a live challenge: its user, or null when it is unknown, expired, used or
   * has had `maxAttempts` attempts already.
   */
  attemptChallenge(challengeHash: string, now: Date, maxAttempts: number): Promise<string | null>;
  /** Uses the challenge up (a login completed): false when another request did first. */
  endChallenge(challengeHash: string): Promise<boolean>;
}
