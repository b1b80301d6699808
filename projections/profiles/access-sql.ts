// The SQL form of kernel/access.ts's rule (ACCESS_RULE), for queries that decide visibility where
// the facts are: the only one, checked row by row against the table by
// test/integration/access-rule.test.ts. `viewer` and `other`/`author` are SQL expressions.

export const BLOCKED_EITHER_WAY = (viewer: string, other: string) =>
  `exists (select 1 from blocks b where b.active and ((b.blocker_id = ${viewer} and b.blocked_id = ${other}) or (b.blocker_id = ${other} and b.blocked_id = ${viewer})))`;

/** An accepted follow (a pending request is not one). */
export const FOLLOWS = (follower: string, followee: string) =>
  `exists (select 1 from follows f where f.follower_id = ${follower} and f.followee_id = ${followee} and f.status = 'following')`;

/**
 * accessTo(...) = 'allowed': the viewer's own content, or no block either way and the author
 * public or followed. The author's users row must be in scope as `u`.
 */
export const MAY_SEE = (viewer: string, author: string) =>
  `(${author} = ${viewer} or (not ${BLOCKED_EITHER_WAY(viewer, author)} and (not u.private or ${FOLLOWS(viewer, author)})))`;
