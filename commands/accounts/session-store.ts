// Sessions live outside the event log, beside the credentials: a refresh token's hash is a secret,
// and a session's device and address are personal data no read model needs. The port, and its
// PostgreSQL adapter beside it (session-store-postgres.ts).
//
// A session is one login on one device: the family of refresh tokens that rotation hands out one
// after the other. Exactly one of them is current; the superseded ones are kept until the session
// ends, so that one presented again is recognised as stolen and ends the whole family.

export interface SessionRecord {
  sessionId: string;
  userId: string;
  username: string;
  /** From the User-Agent, bounded (sessions.ts deviceOf). */
  device: string;
  /** The client address of the login (and of the last refresh). */
  address: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the current refresh token stops working unless rotated before. */
  expiresAt: Date;
}

export interface NewSession {
  sessionId: string;
  userId: string;
  username: string;
  device: string;
  address: string;
  /** SHA-256 of the first refresh token. */
  refreshTokenHash: Buffer;
  now: Date;
  expiresAt: Date;
}

export type Rotation =
  /** The presented token was current: it is superseded by `nextHash`. */
  | { outcome: 'rotated'; session: SessionRecord }
  /** The presented token was superseded already: theft. The whole session was revoked just now. */
  | { outcome: 'reused'; sessionId: string; userId: string }
  /** Unknown token, or its session ended (revoked, expired). */
  | { outcome: 'invalid' };

export interface Revocation {
  sessionId: string;
  userId: string;
  revokedAt: Date;
}

export interface SessionStore {
  create(session: NewSession): Promise<void>;
  /** Atomically: checks `presentedHash`, supersedes it by `nextHash`, slides the expiry. */
  rotate(input: { presentedHash: Buffer; nextHash: Buffer; address: string; now: Date; expiresAt: Date }): Promise<Rotation>;
  /** The user's live sessions (not revoked, not expired at `now`), most recently used first. */
  list(userId: string, now: Date): Promise<SessionRecord[]>;
  /** Ends one session (of `owner` only, when given); null when it was unknown or ended already. Announced to every process. */
  revoke(sessionId: string, now: Date, owner?: string): Promise<Revocation | null>;
  /** Ends every live session of the user but `except`; the ones ended. Announced to every process. */
  revokeAll(userId: string, now: Date, options?: { except?: string }): Promise<Revocation[]>;
  /** Revocations at or after `since` (a starting process loads those younger than the access token TTL). */
  revokedSince(since: Date): Promise<Revocation[]>;
  /** Whether the session is revoked (the slow path, while the revocation channel is down). */
  isRevoked(sessionId: string): Promise<boolean>;
  /**
   * Listens for revocations from every process (this one included); `onRevoked` for each,
   * `onDown` when the channel is lost, `onUp` once it listens (again). Returns a stop function.
   */
  /**
   * Deletes up to `limit` sessions (with their refresh tokens and tickets) that expired before `now`
   * or were revoked before `revokedBefore` (older than the access TTL: no process needs them in its
   * revocation list any more, and their tokens are refused as unknown). The number deleted.
   */
  purgeEnded(now: Date, revokedBefore: Date, limit: number): Promise<number>;
  /** Keeps a stream ticket (its hash) until `expiresAt`. */
  issueTicket(ticket: StreamTicketRecord): Promise<void>;
  /** Uses the ticket up: its record once, if it is unexpired at `now` and its session live; null otherwise. */
  redeemTicket(ticketHash: Buffer, now: Date): Promise<StreamTicketRecord | null>;
  listen(handlers: { onRevoked(revocation: Revocation): void; onUp(): void; onDown(): void }): Promise<() => Promise<void>>;
}

/** The adapter's part the erasure worker uses (workers/erasure/). */
export interface ErasableSessionStore extends SessionStore {
  /**
   * Ends every live session of the user (announced, as revokeAll), deletes their refresh tokens and
   * stream tickets, and blanks what the rows said of the person (device, address, username). The
   * rows themselves stay, revoked, until purgeEnded takes them after the access-token TTL, so that a
   * process starting meanwhile still refuses their access tokens.
   */
  erase(userId: string, now: Date): Promise<Revocation[]>;
}

/** A one-minute, single-use ticket that opens the event stream for one session. */
export interface StreamTicketRecord {
  ticketHash: Buffer;
  sessionId: string;
  userId: string;
  username: string;
  expiresAt: Date;
  /** When the access token that asked for it expires: the stream closes then. */
  tokenExpiresAt: Date;
}
