import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

// Access tokens: HS256 JWTs (RFC 7519) whose subject is the user id; the username rides along so
// that routes naming "own" resources need no lookup. Built on node:crypto's HMAC rather than a
// WebCrypto-based library: verification runs on every request, and WebCrypto's per-call key
// import cost about half the CPU of a create-post request (see bench/).
export interface TokenClaims {
  userId: string;
  username: string;
}

export interface TokenService {
  issue(claims: TokenClaims): Promise<string>;
  /** The claims of a valid, unexpired token; null for anything else. */
  verify(token: string): Promise<TokenClaims | null>;
}

const TOKEN_TTL_S = 7 * 24 * 3600;
const ISSUER = 'instagram-es';
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

interface Payload {
  sub?: unknown;
  username?: unknown;
  iss?: unknown;
  exp?: unknown;
}

/** The shortest HMAC key the service signs or verifies with, in bytes (an empty key makes every token forgeable). */
export const MIN_TOKEN_SECRET_BYTES = 32;

export const createTokenService = (secret: string, now: () => number = Date.now): TokenService => {
  if (Buffer.byteLength(secret, 'utf8') < MIN_TOKEN_SECRET_BYTES) throw new Error(`the token secret must be at least ${MIN_TOKEN_SECRET_BYTES} bytes`);
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const sign = (input: string) => createHmac('sha256', key).update(input).digest();

  return {
    async issue({ userId, username }) {
      const iat = Math.floor(now() / 1000);
      const payload = base64url(JSON.stringify({ sub: userId, username, iss: ISSUER, iat, exp: iat + TOKEN_TTL_S }));
      const input = `${HEADER}.${payload}`;
      return `${input}.${sign(input).toString('base64url')}`;
    },
    async verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return null;
      const [header, payload, signature] = parts as [string, string, string];
      // Only the exact header this service issues: no 'none', no other algorithm.
      if (header !== HEADER) return null;
      // Compared as the canonical text: base64url decoding would also accept other spellings of it.
      const expected = Buffer.from(sign(`${header}.${payload}`).toString('base64url'));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const claims = parsePayload(payload);
      if (!claims || claims.iss !== ISSUER || typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) return null;
      if (typeof claims.sub !== 'string' || typeof claims.username !== 'string') return null;
      return { userId: claims.sub, username: claims.username };
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
