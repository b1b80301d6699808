import type pg from 'pg';
import { accessTo, type ContentAccess } from '../../kernel/access.js';
import { BLOCKED_EITHER_WAY, FOLLOWS, LISTED, LISTED_FOR, MAY_SEE, TAG_SHOWN_TO } from './access-sql.js';
import type { PostMediaItem, UploadedMediaItem } from '../../events/index.js';
import { toPage, type Page, type PageRequest } from '../runtime/page.js';
import { cursorKey, isUuid, keysetOf } from './keyset.js';
import { SUMMARY_COLUMNS, summaryOf } from './reader-users.js';
import type { TagPosition } from '../runtime/batch-changes.js';
import type { HydratedPost, LocationCard, ShownMediaItem, ShownTag, UserSummary } from './reader-types.js';

// Posts as the API serves them, with author, counts and the viewer's own like and bookmark, each
// list in ONE query (hydration runs on every home-feed read). Deleted posts, posts whose
// PostCreated has not been applied, and posts of authors not yet registered are never served; nor
// are posts of an unlisted author (deleting, erased: access-sql.ts), except to that author. In
// every query below `$1` is the viewer (null for none).

/**
 * The post's standing tags, each with the tagged person's username now (a card shows names, the
 * rows keep ids: an erased or deleting person is left out, as everywhere else they are unlisted),
 * and only those `viewer` may see (TAG_SHOWN_TO: no block either way with the tagged person); with
 * no viewer, every standing tag (the card cache's cards, filtered per viewer on read). The id comes
 * along for that filter and never leaves the read side (shownMedia drops it). `p` is the post's row.
 */
export const tagsShownTo = (viewer: string | null) => `(select coalesce(jsonb_agg(jsonb_build_object('userId', t.user_id, 'username', tu.username, 'positions', t.positions)), '[]'::jsonb)
    from post_tags t join users tu on tu.id = t.user_id and ${LISTED('tu')} where t.post_id = p.id and t.active${viewer === null ? '' : ` and ${TAG_SHOWN_TO(viewer, 't.user_id')}`}) as tags`;

export const HYDRATED = `
  p.id, p.author_id, u.username, u.display_name, u.private, u.avatar, p.caption, p.hashtags, p.mentions, p.media, p.location, p.created_at, ${tagsShownTo('$1::uuid')},
  p.like_count, p.comment_count, p.share_count,
  exists (select 1 from likes l where l.post_id = p.id and l.user_id = $1::uuid and l.active) as liked_by_me,
  exists (select 1 from bookmarks b where b.user_id = $1::uuid and b.post_id = p.id and b.active) as bookmarked_by_me`;
export const LIVE = 'p.created_at is not null and p.deleted_at is null';
export const AUTHOR = `users u on u.id = p.author_id and ${LISTED_FOR('$1::uuid', 'u')}`;

export interface PostRow {
  id: string;
  author_id: string;
  username: string;
  display_name: string;
  private: boolean;
  avatar: UploadedMediaItem | null;
  caption: string | null;
  hashtags: string[] | null;
  mentions: string[] | null;
  media: PostMediaItem[];
  location: LocationCard | null;
  tags: { userId: string; username: string; positions: TagPosition[] }[];
  created_at: Date;
  like_count: number;
  comment_count: number;
  share_count: number;
  liked_by_me: boolean;
  bookmarked_by_me: boolean;
}

/** The columns of a post row that are the post's own (no author fields, no viewer marks). */
export type PostOwnRow = Omit<PostRow, 'username' | 'display_name' | 'private' | 'avatar' | 'liked_by_me' | 'bookmarked_by_me'>;

/** The items as served: the stored tags (ids) replaced by the standing ones, named (tagsShownTo), in the order the author gave them. */
const shownMedia = (media: readonly PostMediaItem[], tags: PostOwnRow['tags']): ShownMediaItem[] =>
  media.map(({ tags: _ids, ...item }, index) => {
    const shown: ShownTag[] = tags
      .flatMap(({ username, positions }) => positions.filter((at) => at.item === index).map(({ order, x, y }) => ({ order, username, x, y })))
      .sort((a, b) => a.order - b.order)
      .map(({ username, x, y }) => ({ username, x, y }));
    return shown.length > 0 ? { ...item, tags: shown } : item;
  });

/** A post's own fields as served (hydrated() adds the author and the viewer's marks; the card cache keeps them apart). */
export const postFieldsOf = (row: PostOwnRow) => ({
  id: row.id,
  caption: row.caption ?? '',
  hashtags: row.hashtags ?? [],
  mentions: row.mentions ?? [],
  media: shownMedia(row.media, row.tags),
  ...(row.location !== null && { location: row.location }),
  createdAt: row.created_at.toISOString(),
  likeCount: row.like_count,
  commentCount: row.comment_count,
  shareCount: row.share_count,
});

export const hydrated = (row: PostRow): HydratedPost => ({
  ...postFieldsOf(row),
  author: { id: row.author_id, username: row.username, displayName: row.display_name, private: row.private, avatar: row.avatar },
  likedByMe: row.liked_by_me,
  bookmarkedByMe: row.bookmarked_by_me,
});

/** A viewer id that is not a UUID likes and bookmarks nothing. */
const viewerParam = (viewerId: string | null) => (viewerId !== null && isUuid(viewerId) ? viewerId : null);

/** The posts of `ids` in that order, skipping deleted and unknown ones. */
export const posts = async (db: pg.Pool, ids: readonly string[], viewerId: string | null): Promise<HydratedPost[]> => {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return [];
  // Named, so that each connection plans it once: planning costs more than running it.
  const { rows } = await db.query<PostRow>({
    name: 'profiles-hydrate-posts',
    text: `select ${HYDRATED} from posts p join ${AUTHOR} where p.id = any($2::uuid[]) and ${LIVE}`,
    values: [viewerParam(viewerId), valid],
  });
  const byId = new Map(rows.map((row) => [row.id, hydrated(row)]));
  return ids.flatMap((id) => byId.get(id.toLowerCase()) ?? []);
};

/**
 * posts() of one post and canSee() of its author for the viewer in ONE query (the post page, on
 * every view): null for no such live post (or an unlisted author's, but to that author).
 */
export const postFor = async (db: pg.Pool, postId: string, viewerId: string): Promise<{ post: HydratedPost; access: ContentAccess } | null> => {
  if (!isUuid(postId)) return null;
  const { rows } = await db.query<PostRow & { blocked: boolean; follows: boolean }>({
    name: 'profiles-post-for',
    text: `select ${HYDRATED}, ${BLOCKED_EITHER_WAY('$1::uuid', 'p.author_id')} as blocked, ${FOLLOWS('$1::uuid', 'p.author_id')} as follows
     from posts p join ${AUTHOR} where p.id = $2::uuid and ${LIVE}`,
    values: [viewerParam(viewerId), postId],
  });
  const row = rows[0];
  if (!row) return null;
  // The author's row is listed for the viewer (AUTHOR): what is left is canSee's rule.
  const access = accessTo({ actorId: viewerId, ownerId: row.author_id, ownerIsPrivate: row.private, actorFollowsOwner: row.follows, blockedEitherWay: row.blocked });
  return { post: hydrated(row), access };
};

/**
 * posts() and the read path's visibility rule in ONE query: the posts of `ids` whose author the
 * viewer may see (the home feed's hydration, on every feed read).
 */
export const visiblePosts = async (db: pg.Pool, ids: readonly string[], viewerId: string): Promise<HydratedPost[]> => {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0 || !isUuid(viewerId)) return [];
  const { rows } = await db.query<PostRow>({
    name: 'profiles-hydrate-visible-posts',
    text: `select ${HYDRATED} from posts p join ${AUTHOR} where p.id = any($2::uuid[]) and ${LIVE} and ${MAY_SEE('$1::uuid', 'p.author_id')}`,
    values: [viewerId, valid],
  });
  const byId = new Map(rows.map((row) => [row.id, hydrated(row)]));
  return ids.flatMap((id) => byId.get(id.toLowerCase()) ?? []);
};

/** An author's posts, newest first. */
export const userPosts = async (db: pg.Pool, authorId: string, viewerId: string | null, request: PageRequest): Promise<Page<HydratedPost>> => {
  const keyset = keysetOf(request);
  if (!isUuid(authorId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<PostRow>(
    `select ${HYDRATED} from posts p join ${AUTHOR}
     where p.author_id = $2 and ${LIVE} and ($3::timestamptz is null or (p.created_at, p.id) < ($3::timestamptz, $4::uuid))
     order by p.created_at desc, p.id desc
     limit $5`,
    [viewerParam(viewerId), authorId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.created_at, (r) => r.id), hydrated);
};

/**
 * The posts `userId` stands tagged in, newest first (by the post's creation: a tag is made with its
 * post), live ones only, and only those whose author the viewer may see (MAY_SEE): the page's
 * cursor comes from what it shows. Whether the viewer may see the tagged user's profile at all is
 * the route's (read-api/routes/user-routes.ts).
 */
export const taggedPosts = async (db: pg.Pool, userId: string, viewerId: string | null, request: PageRequest): Promise<Page<HydratedPost>> => {
  const keyset = keysetOf(request);
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<PostRow & { tagged_at: Date }>(
    `select ${HYDRATED}, pt.tagged_at from post_tags pt join posts p on p.id = pt.post_id join ${AUTHOR}
     where pt.user_id = $2 and pt.active and ${LIVE} and ${MAY_SEE('$1::uuid', 'p.author_id')}
       and ($3::timestamptz is null or (pt.tagged_at, pt.post_id) < ($3::timestamptz, $4::uuid))
     order by pt.tagged_at desc, pt.post_id desc
     limit $5`,
    [viewerParam(viewerId), userId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.tagged_at, (r) => r.id), hydrated);
};

/** A user's bookmarked posts, newest bookmark first (deleted posts left out). */
export const bookmarks = async (db: pg.Pool, userId: string, request: PageRequest): Promise<Page<HydratedPost>> => {
  const keyset = keysetOf(request);
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<PostRow & { bookmarked_at: Date }>(
    `select ${HYDRATED}, bm.bookmarked_at from bookmarks bm join posts p on p.id = bm.post_id join ${AUTHOR}
     where bm.user_id = $1 and bm.active and ${LIVE}
       and ($2::timestamptz is null or (bm.bookmarked_at, bm.post_id) < ($2::timestamptz, $3::uuid))
     order by bm.bookmarked_at desc, bm.post_id desc
     limit $4`,
    [userId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.bookmarked_at, (r) => r.id), hydrated);
};

/** Who liked a post, newest like first. */
export const likes = async (db: pg.Pool, postId: string, request: PageRequest): Promise<Page<UserSummary>> => {
  const keyset = keysetOf(request);
  if (!isUuid(postId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<Parameters<typeof summaryOf>[0] & { liked_at: Date }>(
    `select ${SUMMARY_COLUMNS}, l.liked_at
     from likes l join users u on u.id = l.user_id and ${LISTED('u')}
     where l.post_id = $1 and l.active and ($2::timestamptz is null or (l.liked_at, l.user_id) < ($2::timestamptz, $3::uuid))
     order by l.liked_at desc, l.user_id desc
     limit $4`,
    [postId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.liked_at, (r) => r.id), summaryOf);
};
