// SQL fragments of domain/access.ts's rule, for queries that decide visibility where the facts are.
export const BLOCKED_EITHER_WAY = (viewer: string, other: string) =>
  `exists (select 1 from blocks b where b.active and ((b.blocker_id = ${viewer} and b.blocked_id = ${other}) or (b.blocker_id = ${other} and b.blocked_id = ${viewer})))`;

export const FOLLOWS = (follower: string, followee: string) =>
  `exists (select 1 from follows f where f.follower_id = ${follower} and f.followee_id = ${followee} and f.status = 'following')`;

/** The viewer may see the author's content: their own, or no block either way and public or followed (the author's users row is `u`). */
export const MAY_SEE = (viewer: string, author: string) =>
  `(${author} = ${viewer} or (not ${BLOCKED_EITHER_WAY(viewer, author)} and (not u.private or ${FOLLOWS(viewer, author)})))`;
