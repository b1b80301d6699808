import type { ProfilesReader } from '../projections/profiles/profiles-reader.js';
import type { Marks } from './card-cache.js';

// The viewer's own marks on posts (likedByMe, bookmarkedByMe), which no card holds: a port, so
// that the post page and the home feed can take them from wherever they are cheapest. For now
// the profiles read model answers (one query a page); the feed read model's Redis sets may.

/** Each post id (lowercased) of `postIds` to the viewer's marks on it. */
export type ViewerMarks = (viewerId: string, postIds: readonly string[]) => Promise<Map<string, Marks>>;

/** The marks from the live profiles read model, in one query. */
export const sqlViewerMarks =
  (profiles: () => Pick<ProfilesReader, 'viewerMarks'>): ViewerMarks =>
  async (viewerId, postIds) => {
    const marks = await profiles().viewerMarks(viewerId, postIds);
    return new Map([...marks].map(([id, { liked, bookmarked }]) => [id, { likedByMe: liked, bookmarkedByMe: bookmarked }]));
  };
