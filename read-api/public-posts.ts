import type { HydratedPost } from '../projections/profiles/profiles-reader.js';
import { pageLimit, type Page, type PageRequest } from '../projections/runtime/page.js';
import type { ReadDeps } from './deps.js';

// Search, hashtag pages and explore are public surfaces: they show only posts of public accounts
// (and the viewer's own), never a blocked user's, never a deleted one, whatever the index holds.
// One query for the page: hydration with the visibility rule, then public authors only.
export const publicPosts = async (deps: ReadDeps, viewerId: string, postIds: readonly string[]): Promise<HydratedPost[]> => {
  const posts = await deps.profiles.visiblePosts(postIds, viewerId);
  return posts.filter((post) => !post.author.private || post.author.id === viewerId);
};

/** Pages of the index scanned for one answer at most, when the viewer may see few of its posts. */
export const MAX_SCANNED_PAGES = 5;

/**
 * A page of public posts from a list of the index (search, a hashtag, explore), whose cursor is
 * built from the last post it returns, never from one it hid: a cursor is the sort key of an item,
 * so one built from a hidden post would tell its id and its rank, engagement or score. When the
 * viewer may see fewer than `limit` of a page, the next page of the index is read, up to
 * MAX_SCANNED_PAGES; after that the answer ends where its last shown post is (with no post shown,
 * the list ends for this viewer).
 */
export const publicPostsPage = async (
  deps: ReadDeps,
  viewerId: string,
  request: PageRequest,
  list: (page: PageRequest) => Promise<Page<string>>,
): Promise<Page<HydratedPost>> => {
  const limit = pageLimit(request);
  const shown: HydratedPost[] = [];
  let after: string | null = null; // the cursor after the last post shown
  let cursor = request.cursor;
  for (let round = 0; round < MAX_SCANNED_PAGES; round++) {
    const found = await list({ cursor, limit });
    const visible = new Map((await publicPosts(deps, viewerId, found.items)).map((post) => [post.id, post]));
    for (const [i, id] of found.items.entries()) {
      const post = visible.get(id);
      if (post === undefined) continue;
      if (shown.length === limit) return { items: shown, nextCursor: after }; // one more is there to show
      shown.push(post);
      after = found.cursors?.[i] ?? null;
      if (after === null) return { items: shown, nextCursor: null }; // a list without item cursors: end here rather than leak
    }
    if (found.nextCursor === null) return { items: shown, nextCursor: null };
    if (shown.length === limit) return { items: shown, nextCursor: after };
    cursor = found.nextCursor;
  }
  return { items: shown, nextCursor: after };
};
