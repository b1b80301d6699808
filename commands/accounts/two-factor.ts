import { hkdfSync, randomBytes } from 'node:crypto';
import { AppError, conflict, forbidden } from '../../kernel/errors.js';
import type { MasterKey } from '../../events/personal-data/index.js';
import { open, seal } from '../../events/personal-data/sealed-text.js';
import type { CommandDeps } from '../deps.js';
import { hashAccountToken, newAccountToken } from './account-tokens.js';
import { loginDeletionOf, type LoggedIn, type LoginClient } from './login.js';
import { hashingOf } from './password.js';
import { base32Encode, otpauthUri, TOTP_DIGITS, TOTP_SECRET_BYTES, verifyTotp } from './totp.js';
import type { TwoFactorRecord, TwoFactorStore } from './two-factor-store.js';

// Two-factor authentication (docs/architecture.md "Two-factor authentication"): enrolment of a
// TOTP secret (totp.ts), its confirmation by a first code, which hands out the recovery codes,
// disabling with the password and a code, and the second step of a login. State: two-factor-store.ts.

/** How long the challenge of a login's first step lets its second step be done. */
export const TWO_FACTOR_CHALLENGE_TTL_MS = 5 * 60_000;
/** Codes tried against one challenge before it is used up and the password is asked again. */
export const TWO_FACTOR_CHALLENGE_ATTEMPTS = 5;
export const RECOVERY_CODE_COUNT = 10;
/** The issuer authenticator apps show beside the account name. */
export const TOTP_ISSUER = 'instagram-es';

/** What the commands are given (commands/deps.ts): the store, the key that seals secrets, and the clock TOTP is checked against. */
export interface TwoFactorDeps {
  store: TwoFactorStore;
  /** AES-256-GCM key of the sealed secrets: twoFactorKeyOf(the personal data master key). */
  secretKey: Buffer;
  now: () => number;
}

/**
 * The key sealing TOTP secrets: derived (HKDF-SHA256, its own label) from the personal data master
 * key (app/personal-data-key.ts), so that no new secret must be configured and kept, while no data
 * key nor the master key itself ever seals a TOTP secret.
 */
export const twoFactorKeyOf = (master: MasterKey): Buffer =>
  Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), 'instagram-es two-factor secret key v1', 32));

/** What a login with the right password answers for an account with 2FA on, instead of a session. */
export interface TwoFactorChallenge {
  twoFactorRequired: true;
  challenge: string;
  expiresAt: string;
}

// The sealed secret opens only as this user's: a row copied to another account does not.
const associatedDataOf = (userId: string) => `two-factor-secret:${userId}`;
const secretOf = (deps: CommandDeps, userId: string, record: TwoFactorRecord): Buffer => open(deps.twoFactor.secretKey, record.sealedSecret, associatedDataOf(userId));

// 80 random bits as four groups of four base32 characters; typed back in any case, with or without dashes and spaces.
const newRecoveryCode = (): string => base32Encode(randomBytes(10)).toLowerCase().match(/.{4}/g)!.join('-');
const recoveryCodeHash = (code: string): string => hashAccountToken(code.replace(/[\s-]/g, '').toLowerCase());
const isTotpCode = (code: string): boolean => code.length === TOTP_DIGITS && /^\d+$/.test(code);

/**
 * Uses `code` once: a TOTP code of the window not used already (its step recorded, so that it
 * does not work twice), or an unused recovery code (now used). False for anything else.
 */
const useCode = async (deps: CommandDeps, userId: string, record: TwoFactorRecord, code: string): Promise<boolean> => {
  const { store, now } = deps.twoFactor;
  if (!isTotpCode(code)) return record.enabledAt !== null && store.useRecoveryCode(userId, recoveryCodeHash(code));
  const step = verifyTotp(secretOf(deps, userId, record), code, now(), record.lastUsedStep);
  return step !== null && store.useStep(userId, step);
};

const checkPassword = async (deps: CommandDeps, userId: string, password: string) => {
  const credentials = await deps.credentials.findById(userId);
  if (!credentials) throw new AppError('UNAUTHORIZED', 'this token names no account');
  if (!(await hashingOf(deps).verify(password, credentials.passwordHash))) throw forbidden('WRONG_PASSWORD', 'the password is wrong');
  return credentials;
};

/** A new secret for the caller, not asked for until confirmed; enrolling again before confirming replaces it. */
export const enrollTwoFactor = async (deps: CommandDeps, input: { userId: string; password: string }): Promise<{ secret: string; otpauthUri: string }> => {
  const { username } = await checkPassword(deps, input.userId, input.password);
  const secret = randomBytes(TOTP_SECRET_BYTES);
  if (!(await deps.twoFactor.store.enroll(input.userId, seal(deps.twoFactor.secretKey, secret, associatedDataOf(input.userId))))) {
    throw conflict('TWO_FACTOR_ENABLED', 'two-factor authentication is on already; disable it first');
  }
  return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, TOTP_ISSUER, username) };
};

/** Turns 2FA on with a first code of the enrolled secret; the recovery codes, shown this once (only their hashes are kept). */
export const confirmTwoFactor = async (deps: CommandDeps, input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> => {
  const record = await deps.twoFactor.store.find(input.userId);
  if (!record) throw conflict('TWO_FACTOR_NOT_ENROLLED', 'no two-factor secret to confirm: enroll first');
  if (record.enabledAt) throw conflict('TWO_FACTOR_ENABLED', 'two-factor authentication is on already');
  if (!isTotpCode(input.code) || !(await useCode(deps, input.userId, record, input.code))) throw forbidden('TWO_FACTOR_CODE_INVALID', 'the code is wrong or used already');
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  if (!(await deps.twoFactor.store.enable(input.userId, recoveryCodes.map(recoveryCodeHash)))) throw conflict('TWO_FACTOR_ENABLED', 'two-factor authentication is on already');
  return { recoveryCodes };
};

/** Turns 2FA off, given the password and a code (TOTP or recovery): the secret, recovery codes and pending challenges are forgotten. */
export const disableTwoFactor = async (deps: CommandDeps, input: { userId: string; password: string; code: string }): Promise<{ twoFactorEnabled: false }> => {
  await checkPassword(deps, input.userId, input.password);
  const record = await deps.twoFactor.store.find(input.userId);
  if (!record?.enabledAt) throw conflict('TWO_FACTOR_NOT_ENABLED', 'two-factor authentication is not on');
  if (!(await useCode(deps, input.userId, record, input.code))) throw forbidden('TWO_FACTOR_CODE_INVALID', 'the code is wrong or used already');
  await deps.twoFactor.store.disable(input.userId);
  return { twoFactorEnabled: false };
};

/**
 * Confirms the caller for an act as grave as disabling 2FA (deleting the account): the password,
 * and when 2FA is on a code (TOTP or recovery), used up as disabling uses it. With 2FA on, no
 * code is TWO_FACTOR_CODE_INVALID as a wrong one is.
 */
export const confirmPasswordAndCode = async (deps: CommandDeps, input: { userId: string; password: string; code?: string | undefined }): Promise<void> => {
  await checkPassword(deps, input.userId, input.password);
  const record = await deps.twoFactor.store.find(input.userId);
  if (!record?.enabledAt) return;
  if (input.code === undefined) throw forbidden('TWO_FACTOR_CODE_INVALID', 'two-factor authentication is on: give a code (TOTP or recovery) as well');
  if (!(await useCode(deps, input.userId, record, input.code))) throw forbidden('TWO_FACTOR_CODE_INVALID', 'the code is wrong or used already');
};

/** For a login whose password was right: a challenge when the account has 2FA on, else null (the session starts at once). */
export const twoFactorChallengeFor = async (deps: CommandDeps, userId: string): Promise<TwoFactorChallenge | null> => {
  if (!(await deps.twoFactor.store.find(userId))?.enabledAt) return null;
  const challenge = newAccountToken();
  const now = deps.twoFactor.now();
  const expiresAt = new Date(now + TWO_FACTOR_CHALLENGE_TTL_MS);
  await deps.twoFactor.store.addChallenge(hashAccountToken(challenge), userId, expiresAt, new Date(now));
  return { twoFactorRequired: true, challenge, expiresAt: expiresAt.toISOString() };
};

// One answer for an unknown, expired or used challenge and a wrong code, as login's for an unknown
// login and a wrong password: counted as a failed login (commands/accounts/password.ts loginAttempt).
const refused = () => new AppError('INVALID_CREDENTIALS', 'unknown or expired challenge, or a wrong or used code');

/** The second step of a login: the challenge and a code (TOTP or recovery) start the session login would have. */
export const completeTwoFactorLogin = async (deps: CommandDeps, input: { challenge: string; code: string }, client: LoginClient): Promise<LoggedIn> => {
  const { store, now } = deps.twoFactor;
  const challengeHash = hashAccountToken(input.challenge);
  const userId = await store.attemptChallenge(challengeHash, new Date(now()), TWO_FACTOR_CHALLENGE_ATTEMPTS);
  if (!userId) throw refused();
  const record = await store.find(userId);
  if (!record?.enabledAt || !(await useCode(deps, userId, record, input.code))) throw refused();
  if (!(await store.endChallenge(challengeHash))) throw refused();
  const credentials = await deps.credentials.findById(userId);
  const deletion = credentials ? await loginDeletionOf(deps, userId) : undefined;
  if (!credentials || deletion === undefined) throw refused();
  return { ...(await deps.sessions.start({ userId, username: credentials.username, ...client })), deletion };
};
