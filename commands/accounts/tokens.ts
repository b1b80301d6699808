import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

// Access tokens: HS256 JWTs (RFC 7519) whose subject is the user id; the username rides along so
// that routes naming "own" resources need no lookup, and the session id (`sid`) so that a revoked
// session's tokens are refused at once (sessions.ts). Built on node:crypto's HMAC rather than a
// WebCrypto-based library: verification runs on every request, and WebCrypto's per-call key
// import cost about half the CPU of a create-post request (see bench/).
//
// Signing keys (JWT_SECRETS, newest first): tokens are signed with the first and carry its id in
// the header (`kid`); any key of the list verifies the tokens carrying its id, so a new key can be
// put first with no one logged out, and a key taken off the list takes its tokens with it.
export interface TokenClaims {
  userId: string;
  username: string;
  sessionId: string;
}

export interface VerifiedToken extends TokenClaims {
  /** When the token expires (ms since the epoch): an event stream opened with it closes then. */
  expiresAtMs: number;
}

export interface TokenService {
  issue(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }>;
  /** The claims of a valid, unexpired token signed by a key still listed; null for anything else. */
  verify(token: string): Promise<VerifiedToken | null>;
}

/** ACCESS_TOKEN_TTL's default: short, since refresh tokens renew it (docs/architecture.md "Sessions"). */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 15 * 60_000;
const ISSUER = 'instagram-es';

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

interface Payload {
  sub?: unknown;
  username?: unknown;
  sid?: unknown;
  iss?: unknown;
  exp?: unknown;
}

/** The shortest HMAC key the service signs or verifies with, in bytes (an empty key makes every token forgeable). */
export const MIN_TOKEN_SECRET_BYTES = 32;

/**
 * A key's id, derived from the key (so JWT_SECRET and the generated file need no id of their own):
 * an HMAC under the key, which tells nothing of the key itself.
 */
export const keyIdOf = (secret: string): string => createHmac('sha256', secret).update('instagram-es signing key id').digest('base64url').slice(0, 16);

export const createTokenService = (
  secrets: string | readonly string[],
  now: () => number = Date.now,
  ttlMs: number = DEFAULT_ACCESS_TOKEN_TTL_MS,
): TokenService => {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new Error('at least one token secret is needed');
  // The exact header each key's tokens carry: verification looks the header text up, so that no
  // other spelling, algorithm ('none') or unknown key id gets as far as a signature check.
  const keys = new Map<string, KeyObject>();
  for (const secret of list) {
    if (Buffer.byteLength(secret, 'utf8') < MIN_TOKEN_SECRET_BYTES) throw new Error(`the token secret must be at least ${MIN_TOKEN_SECRET_BYTES} bytes`);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyIdOf(secret) }));
    if (!keys.has(header)) keys.set(header, createSecretKey(Buffer.from(secret, 'utf8')));
  }
  const [signingHeader, signingKey] = [...keys][0]!;
  const sign = (key: KeyObject, input: string) => createHmac('sha256', key).update(input).digest();
  // Tokens that passed the signature check, by their text: a client sends the same token with
  // every request of its 15 minutes, and the HMAC, decoding and parse were ~5 % of a request's CPU
  // (bench:http). The text decides the check's outcome whole (the keys are this service's, fixed),
  // so a token found here is the one verified; its expiry is still compared with the clock on
  // every use. Bounded: the oldest go first.
  const verified = new Map<string, VerifiedToken>();
  const MAX_VERIFIED_KEPT = 10_000;

  return {
    async issue({ userId, username, sessionId }) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + Math.max(1, Math.round(ttlMs / 1000));
      const payload = base64url(JSON.stringify({ sub: userId, username, sid: sessionId, iss: ISSUER, iat, exp }));
      const input = `${signingHeader}.${payload}`;
      return { token: `${input}.${sign(signingKey, input).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) return known.expiresAtMs <= now() ? null : { ...known };
      const parts = token.split('.');
      if (parts.length !== 3) return null;
      const [header, payload, signature] = parts as [string, string, string];
      const key = keys.get(header);
      if (!key) return null;
      // Compared as the canonical text: base64url decoding would also accept other spellings of it.
      const expected = Buffer.from(sign(key, `${header}.${payload}`).toString('base64url'));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const claims = parsePayload(payload);
      if (!claims || claims.iss !== ISSUER || typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) return null;
      if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || typeof claims.sid !== 'string') return null;
      const result = { userId: claims.sub, username: claims.username, sessionId: claims.sid, expiresAtMs: claims.exp * 1000 };
      verified.set(token, result);
      if (verified.size > MAX_VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
      return { ...result };
    },
  };
};

const parsePayload = (payload: string): Payload | null => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Payload) : null;
  } catch {
    return null;
  }
};
