import { AppError } from '../../kernel/errors.js';
import { decodeCursor, encodeCursor } from '../runtime/page.js';
import type { FeedKey } from './feed-store.js';

// Opaque keyset cursors for feed pages (runtime/page.ts encodes them): the last item's
// (score, postId). A page resumes strictly after that item, so posts that arrive meanwhile
// (newer, so in front of it) neither shift nor repeat what later pages hold.

export const encodeFeedCursor = (key: FeedKey): string => encodeCursor([key.score, key.postId]);

export const decodeFeedCursor = (cursor: string): FeedKey => {
  const [score, postId] = decodeCursor(cursor, ['number', 'string']) as [number, string];
  if (!Number.isSafeInteger(score) || postId === '') throw new AppError('INVALID_CURSOR');
  return { score, postId };
};
