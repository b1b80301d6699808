import type { EventStore } from '../events/index.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import type { AccountLinks } from './accounts/account-links.js';
import type { CredentialsStore } from './accounts/credentials-store.js';
import type { PasswordHashing, ScryptParams } from './accounts/password.js';
import type { Sessions } from './accounts/sessions.js';
import type { TokenService } from './accounts/tokens.js';
import type { TwoFactorDeps } from './accounts/two-factor.js';

/**
 * How many accounts `followerId` follows or has asked to follow, counted up to `upTo` (so the
 * work is bounded by the cap). Answered by the profiles read model: a fact across every follow
 * stream of the follower, which no one stream holds; eventually consistent, so follows still in
 * the projection's lag are not counted yet (the cap's slack, docs/rules.md).
 */
export type FollowingCounter = (followerId: string, upTo: number) => Promise<number>;

/**
 * How many live collections `ownerId` keeps, counted up to `upTo`: the profiles read model's
 * answer, as FollowingCounter's (collections still in the projection's lag are not counted yet).
 */
export type CollectionCounter = (ownerId: string, upTo: number) => Promise<number>;

/**
 * How many hashtags `userId` follows, counted up to `upTo`: the profiles read model's answer, as
 * FollowingCounter's (follows still in the projection's lag are not counted yet).
 */
export type HashtagFollowCounter = (userId: string, upTo: number) => Promise<number>;

/** What command handlers are given by the composition root. */
export interface CommandDeps {
  store: EventStore;
  /** MEDIA_EXTERNAL_HOSTS: the hosts whose URLs new posts and stories may carry instead of uploads (default none). */
  mediaExternalHosts: readonly string[];
  credentials: CredentialsStore;
  tokens: TokenService;
  /** The password reset and email verification links, mailed after the answer. */
  accountLinks: AccountLinks;
  /** scrypt's cost for new hashes (commands/accounts/password.ts PARAMS; lower only in tests). */
  passwordParams: ScryptParams;
  /**
   * Whose password hashes these are, for the hashing admission queue (commands/accounts/password.ts
   * hashingAs): the routes that hash bind the request's caller (withHashingAs in
   * commands/http/account-routes.ts); absent, a clean caller's.
   */
  hashing?: PasswordHashing;
  /** Logins' sessions: refresh, listing, revocation (commands/accounts/sessions.ts). */
  sessions: Sessions;
  /** TOTP secrets, recovery codes and login challenges (commands/accounts/two-factor.ts), with the clock codes are checked against. */
  twoFactor: TwoFactorDeps;
  /** How long a story lives (STORY_TTL). */
  storyTtlMs: number;
  /** ACCOUNT_DELETION_GRACE: how long after a deletion request its owner may restore the account (commands/accounts/delete-account.ts). */
  accountDeletionGraceMs: number;
  /** Where uploads and their variants live (media/storage/): presigned uploads, and what is stored. */
  storage: MediaStorage;
  followingCount: FollowingCounter;
  /** Accounts one may follow (kernel/limits.ts FOLLOWING_MAX; lower only in tests). */
  followingMax: number;
  collectionCount: CollectionCounter;
  hashtagFollowCount: HashtagFollowCounter;
}
