import { api } from '../../api/client';

// Whether a profile that answered 404 is one the viewer blocked: the API answers a block either
// way as a missing profile, so the viewer's own blocks (GET /users/me/blocks, newest first) are
// looked through, a bounded number of pages. 'unknown' when the list goes on past them or could
// not be read: the profile then points to Settings, where the whole list is.

export type BlockLookup = 'blocked' | 'not-blocked' | 'unknown';

const PAGES = 2;
const LIMIT = 100;

export const lookUpBlock = async (username: string): Promise<BlockLookup> => {
  let cursor: string | null = null;
  try {
    for (let page = 0; page < PAGES; page++) {
      const answer: { items: { username: string }[]; nextCursor: string | null } = await api.get('/api/v1/users/me/blocks', { query: { limit: LIMIT, ...(cursor ? { cursor } : {}) }, fresh: true });
      if (answer.items.some((user) => user.username === username)) return 'blocked';
      cursor = answer.nextCursor;
      if (cursor === null) return 'not-blocked';
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
};
