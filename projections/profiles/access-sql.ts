// The SQL form of kernel/access.ts's rule (ACCESS_RULE), for queries that decide visibility where
// the facts are: the only one, checked row by row against the table by
// test/integration/access-rule.test.ts. `viewer` and `other`/`author` are SQL expressions.
//
// And the one home of "a listed user" (docs/architecture.md "Account deletion"): an account whose
// UserRegistered has been applied and that is neither in its deletion grace period nor erased.
// Everyone else reads an unlisted account as no account at all (no profile, no posts, absent
// from every list); its owner still sees their own (LISTED_FOR). kernel/access.ts's rule is about
// relationships and knows nothing of this: an unlisted owner is 'unknown', not a relationship.

/** A listed user; `user` is the alias of a users row in scope. */
export const LISTED = (user: string) => `(${user}.username is not null and ${user}.state = 'active')`;

/** Listed, or the viewer's own row while it is still registered (the owner during the grace). */
export const LISTED_FOR = (viewer: string, user: string) => `(${LISTED(user)} or (${user}.id = ${viewer} and ${user}.username is not null))`;

export const BLOCKED_EITHER_WAY = (viewer: string, other: string) =>
  `exists (select 1 from blocks b where b.active and ((b.blocker_id = ${viewer} and b.blocked_id = ${other}) or (b.blocker_id = ${other} and b.blocked_id = ${viewer})))`;

/**
 * kernel/access.ts `tagShownTo`: a tag of `tagged` on a post shows to `viewer` unless a block stands
 * between them, either way (a null viewer, no one signed in, sees every standing tag).
 */
export const TAG_SHOWN_TO = (viewer: string, tagged: string) => `not ${BLOCKED_EITHER_WAY(viewer, tagged)}`;

/**
 * The viewer mutes the other (a standing mute). Not part of the access rule: a mute hides the
 * muted account's posts and stories from the muter's home feed and tray only (docs/rules.md).
 */
export const MUTES = (muter: string, muted: string) => `exists (select 1 from mutes m where m.muter_id = ${muter} and m.muted_id = ${muted} and m.active)`;

/** An accepted follow (a pending request is not one). */
export const FOLLOWS = (follower: string, followee: string) =>
  `exists (select 1 from follows f where f.follower_id = ${follower} and f.followee_id = ${followee} and f.status = 'following')`;

/**
 * accessTo(...) = 'allowed' for a listed author: the viewer's own content, or a listed author with
 * no block either way, public or followed. The author's users row must be in scope as `u`.
 */
export const MAY_SEE = (viewer: string, author: string) =>
  `(${author} = ${viewer} or (${LISTED('u')} and not ${BLOCKED_EITHER_WAY(viewer, author)} and (not u.private or ${FOLLOWS(viewer, author)})))`;

/**
 * LISTED_FOR on facts already read (a cached card: read-api/card-cache.ts): `user` is a registered
 * user (username not null) and `listed` its LISTED as the query read it.
 */
export const listedFor = (viewerId: string, user: { id: string; listed: boolean }): boolean => user.listed || user.id === viewerId;
