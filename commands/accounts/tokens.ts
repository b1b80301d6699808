import { SignJWT, jwtVerify } from 'jose';

// Access tokens: HS256 JWTs whose subject is the user id. The username rides along so that
// routes naming "own" resources need no lookup.
export interface TokenClaims {
  userId: string;
  username: string;
}

export interface TokenService {
  issue(claims: TokenClaims): Promise<string>;
  /** The claims of a valid, unexpired token; null for anything else. */
  verify(token: string): Promise<TokenClaims | null>;
}

const TOKEN_TTL = '7d';
const ISSUER = 'instagram-es';

export const createTokenService = (secret: string): TokenService => {
  const key = new TextEncoder().encode(secret);
  return {
    issue: ({ userId, username }) =>
      new SignJWT({ username })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(TOKEN_TTL)
        .sign(key),
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.username !== 'string') return null;
        return { userId: payload.sub, username: payload.username };
      } catch {
        return null;
      }
    },
  };
};
