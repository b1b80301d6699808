import { randomUUID } from 'node:crypto';
import { AppError } from '../kernel/errors.js';
import { rankCandidates, RANKING, type RankCandidate } from '../projections/feed/ranking.js';
import { isUuid } from '../projections/profiles/keyset.js';
import { decodeCursor, encodeCursor, pageLimit } from '../projections/runtime/page.js';
import { postPageJson, type Marks, type PostCardJson } from './card-cache.js';
import type { ReadDeps } from './deps.js';

// GET /feed/home?order=ranked (docs/architecture.md "Ranked home feed"). The first page takes the
// chronological home feed's first RANKING.CANDIDATES items (the same reader, so visibility,
// blocks, deletions and pulled celebrities follow the same rules), hydrates them from the card
// cache as the chronological page does, reads the viewer's affinity with their authors (one
// query), ranks them (projections/feed/ranking.ts) and pins the ranked ids under a new session
// (read-api/ranked-orders.ts). Its cursor is (session, offset): later pages read the pinned list,
// so the order of a session does not move under likes arriving between pages; their posts are
// hydrated again, so what was deleted or is no longer visible since is dropped, never shown.

export interface RankedPageRequest {
  cursor?: string | undefined;
  limit?: number | undefined;
  /** A ?minPosition= read: cards and marks from SQL. */
  readThrough: boolean;
}

type RankedDeps = Pick<ReadDeps, 'feed' | 'cards' | 'marks' | 'profiles' | 'rankedOrders' | 'now'>;

const encodeRankedCursor = (sessionId: string, offset: number) => encodeCursor([sessionId, offset]);

/** The cursor's session and offset; anything that no ranked page could have made is INVALID_CURSOR. */
const decodeRankedCursor = (cursor: string): { sessionId: string; offset: number } => {
  const [sessionId, offset] = decodeCursor(cursor, ['string', 'number']) as [string, number];
  if (!isUuid(sessionId) || !Number.isSafeInteger(offset) || offset < 1 || offset >= RANKING.CANDIDATES) throw new AppError('INVALID_CURSOR');
  return { sessionId: sessionId.toLowerCase(), offset };
};

const candidateOf = ({ postId, facts }: PostCardJson): RankCandidate => ({
  postId,
  authorId: facts.authorId,
  createdAtMs: Date.parse(facts.createdAt),
  likes: facts.likeCount,
  comments: facts.commentCount,
  shares: facts.shareCount,
});

const firstPage = async (deps: RankedDeps, viewerId: string, limit: number, readThrough: boolean): Promise<string> => {
  const knownLive = readThrough ? undefined : deps.cards.knownLive;
  const items = await deps.feed.homeCandidates(viewerId, RANKING.CANDIDATES, knownLive ? { knownLive } : {});
  // As the chronological page: the access rule, and no post of an author the viewer mutes (docs/rules.md "Mutes").
  const cards = await deps.cards.visiblePosts(items.map((item) => item.postId), viewerId, { readThrough, withoutMuted: true });
  const now = deps.now();
  const affinity = await deps.profiles.affinity(viewerId, [...new Set(cards.map((card) => card.facts.authorId))], now);
  const ranked = rankCandidates(cards.map(candidateOf), affinity, now.getTime());
  const sessionId = randomUUID();
  // A single page needs no pin: its answer has no cursor.
  if (ranked.length > limit) await deps.rankedOrders.save(viewerId, sessionId, ranked, now.getTime());
  const byId = new Map(cards.map((card) => [card.postId, card]));
  const marks = new Map(items.map((item) => [item.postId.toLowerCase(), item]));
  return postPageJson(
    ranked.slice(0, limit).map((postId) => byId.get(postId)!),
    (postId) => marks.get(postId),
    ranked.length > limit ? encodeRankedCursor(sessionId, limit) : null,
  );
};

const laterPage = async (deps: RankedDeps, viewerId: string, cursor: string, limit: number, readThrough: boolean): Promise<string> => {
  const { sessionId, offset } = decodeRankedCursor(cursor);
  const pinned = await deps.rankedOrders.load(viewerId, sessionId, deps.now().getTime());
  // Expired, pushed out by the viewer's newer sessions, or another viewer's: the client starts again from the first page.
  if (pinned === null || offset >= pinned.length) throw new AppError('INVALID_CURSOR');
  const shown: PostCardJson[] = [];
  let next = offset;
  // Refill what was dropped since the pin, within the pinned list (so bounded by CANDIDATES).
  while (shown.length < limit && next < pinned.length) {
    const slice = pinned.slice(next, next + limit - shown.length);
    next += slice.length;
    shown.push(...(await deps.cards.visiblePosts(slice, viewerId, { readThrough, withoutMuted: true })));
  }
  const ids = shown.map((card) => card.postId);
  // The via marks are read again, as the likes are: a tag followed or unfollowed since the pin shows.
  const [marks, via]: [Map<string, Marks>, Map<string, string>] = await Promise.all([deps.marks(viewerId, ids, { readThrough }), deps.feed.viaAmong(viewerId, ids)]);
  const marksOf = (postId: string): Marks | undefined => {
    const found = marks.get(postId);
    const tag = via.get(postId);
    return tag === undefined ? found : { likedByMe: found?.likedByMe === true, bookmarkedByMe: found?.bookmarkedByMe === true, via: tag };
  };
  return postPageJson(shown, marksOf, next < pinned.length ? encodeRankedCursor(sessionId, next) : null);
};

/** One page of the ranked home feed, as the JSON the route sends. */
export const rankedHomePage = (deps: RankedDeps, viewerId: string, { cursor, limit, readThrough }: RankedPageRequest): Promise<string> => {
  const size = pageLimit({ limit });
  return cursor === undefined ? firstPage(deps, viewerId, size, readThrough) : laterPage(deps, viewerId, cursor, size, readThrough);
};

/** Whether `cursor` is a ranked page's (so a degraded, chronological answer must start from the top rather than refuse it). */
export const isRankedCursor = (cursor: string): boolean => {
  try {
    decodeRankedCursor(cursor);
    return true;
  } catch {
    return false;
  }
};
