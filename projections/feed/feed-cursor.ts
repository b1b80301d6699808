import type { FeedKey } from './feed-store.js';

// Opaque keyset cursors for feed pages: base64url of the last item's (score, postId). A page
// resumes strictly after that item, so posts that arrive meanwhile (newer, so in front of it)
// neither shift nor repeat what later pages hold.

export class InvalidFeedCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;
  constructor(cursor: string) {
    super(`not a cursor of this feed: ${cursor.slice(0, 64)}`);
    this.name = 'InvalidFeedCursorError';
  }
}

export const encodeFeedCursor = (key: FeedKey): string => Buffer.from(JSON.stringify([key.score, key.postId])).toString('base64url');

export const decodeFeedCursor = (cursor: string): FeedKey => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidFeedCursorError(cursor);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidFeedCursorError(cursor);
  const [score, postId] = parsed as unknown[];
  if (!Number.isSafeInteger(score) || typeof postId !== 'string' || postId === '') throw new InvalidFeedCursorError(cursor);
  return { score: score as number, postId };
};
