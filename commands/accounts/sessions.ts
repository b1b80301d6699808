import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../kernel/errors.js';
import { runPeriodically } from '../periodic.js';
import { createRevocationList, type RevocationList } from './revocation-list.js';
import type { Revocation, SessionRecord, SessionStore, StreamTicketRecord } from './session-store.js';
import type { TokenService, VerifiedToken } from './tokens.js';

// Sessions (docs/architecture.md "Sessions"): a login hands out a short access token (a JWT naming
// its session) and a refresh token (256 random bits, kept only as a SHA-256 hash: they are
// unguessable, so a slow hash would add nothing). A refresh rotates the refresh token; presenting a
// superseded one again ends the whole session, since one of the two holders stole it.
//
// Revocation is checked on every request without a database round trip: this process keeps the
// sessions revoked within the last access-token TTL (revocation-list.ts), fed by its own
// revocations at once and by the other processes' through the store's channel (LISTEN/NOTIFY).
// While that channel is down, fail closed: each request asks the database (a 503 if it does not
// answer), and the list is reloaded once the channel listens again.

/** REFRESH_TOKEN_TTL's default: a session unused this long ends. Each refresh starts it again. */
export const DEFAULT_REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
/** How long a stream ticket may wait to be used. */
export const STREAM_TICKET_TTL_MS = 60_000;
/** Ended sessions deleted per run, one run an hour (`purgeEnded`). */
export const SESSION_PURGE_BATCH = 10_000;
const SESSION_PURGE_INTERVAL_MS = 3_600_000;
/** The longest device description kept (from the User-Agent). */
export const DEVICE_MAX_LENGTH = 160;

export interface IssuedSession {
  userId: string;
  username: string;
  sessionId: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

export interface ListedSession {
  sessionId: string;
  device: string;
  address: string;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

export interface Sessions {
  start(input: { userId: string; username: string; userAgent: string | undefined; address: string }): Promise<IssuedSession>;
  /** A new access and refresh token for the session of `refreshToken`, which is used up. */
  refresh(refreshToken: string, address: string): Promise<IssuedSession>;
  list(userId: string, currentSessionId: string): Promise<ListedSession[]>;
  /** Ends one session, whoever's; null when unknown or ended already. */
  revoke(sessionId: string): Promise<Revocation | null>;
  /** Ends every session of the user, but `except` (a password change keeps the one asking). */
  revokeAll(userId: string, options?: { except?: string }): Promise<Revocation[]>;
  /** DELETE /auth/sessions/{id}: one of the caller's own sessions, else SESSION_NOT_FOUND. */
  end(userId: string, sessionId: string): Promise<void>;
  issueStreamTicket(caller: VerifiedToken): Promise<{ ticket: string; expiresAt: string }>;
  /** The ticket's record, used up; null when unknown, used, expired or its session ended. */
  redeemStreamTicket(ticket: string): Promise<StreamTicketRecord | null>;
  /** The hot path: a Map lookup while the channel listens, a database query while it does not. */
  isRevoked(sessionId: string): boolean | Promise<boolean>;
  /** `listener` once when the session is revoked (an open stream closes). */
  onRevoked(sessionId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

export interface SessionSettings {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
}

const hashOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();
const newSecret = (): string => randomBytes(32).toString('base64url');

/** What the sessions list shows of a User-Agent: printable, bounded. */
export const deviceOf = (userAgent: string | undefined): string => {
  const printable = (userAgent ?? '').replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (printable === '') return 'unknown device';
  return printable.length > DEVICE_MAX_LENGTH ? `${printable.slice(0, DEVICE_MAX_LENGTH - 1)}…` : printable;
};

export const createSessions = async (
  store: SessionStore,
  tokens: TokenService,
  settings: SessionSettings,
  now: () => number = Date.now,
): Promise<Sessions> => {
  const revoked: RevocationList = createRevocationList(settings.accessTokenTtlMs, now);
  let listening = false;
  const loadRecent = async () => {
    for (const revocation of await store.revokedSince(new Date(now() - settings.accessTokenTtlMs))) revoked.add(revocation);
  };
  const stopListening = await store.listen({
    onRevoked: (revocation) => revoked.add(revocation),
    onDown: () => {
      listening = false;
    },
    // Listening first, then loading: a revocation committed in between arrives by both ways.
    onUp: () => {
      loadRecent().then(
        () => void (listening = true),
        () => undefined, // stays on the slow path; the next reconnection loads again
      );
    },
  });
  await loadRecent();
  listening = true;
  // Ended sessions go once no process needs them; their tokens then answer as unknown.
  const purge = runPeriodically(
    SESSION_PURGE_INTERVAL_MS,
    async () => void (await store.purgeEnded(new Date(now()), new Date(now() - settings.accessTokenTtlMs), SESSION_PURGE_BATCH)),
    (error) => console.warn('sessions: purging ended sessions failed', error),
  );

  const issue = async (session: Pick<SessionRecord, 'userId' | 'username' | 'sessionId'>, refreshToken: string): Promise<IssuedSession> => {
    const { token, expiresAt } = await tokens.issue(session);
    return {
      userId: session.userId,
      username: session.username,
      sessionId: session.sessionId,
      accessToken: token,
      accessTokenExpiresAt: expiresAt.toISOString(),
      refreshToken,
    };
  };
  const announce = (revocations: Revocation[]) => {
    for (const revocation of revocations) revoked.add(revocation);
    return revocations;
  };

  return {
    async start({ userId, username, userAgent, address }) {
      const sessionId = randomUUID();
      const refreshToken = newSecret();
      const at = now();
      await store.create({
        sessionId,
        userId,
        username,
        device: deviceOf(userAgent),
        address,
        refreshTokenHash: hashOf(refreshToken),
        now: new Date(at),
        expiresAt: new Date(at + settings.refreshTokenTtlMs),
      });
      return issue({ sessionId, userId, username }, refreshToken);
    },

    async refresh(refreshToken, address) {
      const next = newSecret();
      const at = now();
      const rotation = await store.rotate({
        presentedHash: hashOf(refreshToken),
        nextHash: hashOf(next),
        address,
        now: new Date(at),
        expiresAt: new Date(at + settings.refreshTokenTtlMs),
      });
      if (rotation.outcome === 'reused') {
        announce([{ sessionId: rotation.sessionId, userId: rotation.userId, revokedAt: new Date(at) }]);
        throw new AppError('REFRESH_TOKEN_REUSED');
      }
      if (rotation.outcome === 'invalid') throw new AppError('INVALID_REFRESH_TOKEN');
      return issue(rotation.session, next);
    },

    async list(userId, currentSessionId) {
      return (await store.list(userId, new Date(now()))).map((session) => ({
        sessionId: session.sessionId,
        device: session.device,
        address: session.address,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        current: session.sessionId === currentSessionId,
      }));
    },

    revoke: async (sessionId) => announce([await store.revoke(sessionId, new Date(now()))].filter((r) => r !== null))[0] ?? null,
    revokeAll: async (userId, options) => announce(await store.revokeAll(userId, new Date(now()), options)),

    async end(userId, sessionId) {
      const revocation = await store.revoke(sessionId, new Date(now()), userId);
      if (!revocation) throw new AppError('SESSION_NOT_FOUND');
      announce([revocation]);
    },

    async issueStreamTicket({ userId, username, sessionId, expiresAtMs }) {
      const ticket = newSecret();
      const expiresAt = new Date(Math.min(now() + STREAM_TICKET_TTL_MS, expiresAtMs));
      await store.issueTicket({ ticketHash: hashOf(ticket), sessionId, userId, username, expiresAt, tokenExpiresAt: new Date(expiresAtMs) });
      return { ticket, expiresAt: expiresAt.toISOString() };
    },

    async redeemStreamTicket(ticket) {
      const record = await store.redeemTicket(hashOf(ticket), new Date(now()));
      return record && !revoked.has(record.sessionId) ? record : null;
    },

    isRevoked(sessionId) {
      if (revoked.has(sessionId)) return true;
      return listening ? false : store.isRevoked(sessionId);
    },

    onRevoked: (sessionId, listener) => revoked.onRevoked(sessionId, listener),

    async close() {
      await purge.stop();
      await stopListening();
    },
  };
};
