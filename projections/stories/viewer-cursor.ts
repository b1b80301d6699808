import { AppError } from '../../kernel/errors.js';
import { decodeCursor } from '../runtime/page.js';
import type { ViewerKey } from './stories-store.js';

// Keyset cursors for viewer lists: the last item's (viewedAt ms, viewerId). A page resumes
// strictly after that item, so views that arrive meanwhile (always newer, so at the front)
// neither shift nor repeat what later pages hold.

/** What a viewer cursor holds (runtime/page.ts encodes it). */
export const viewerSortKey = (key: ViewerKey): [number, string] => [key.viewedAtMs, key.viewerId];

export const decodeViewerCursor = (cursor: string): ViewerKey => {
  const [viewedAtMs, viewerId] = decodeCursor(cursor, ['number', 'string']) as [number, string];
  if (!Number.isSafeInteger(viewedAtMs) || viewedAtMs < 0 || viewerId === '') throw new AppError('INVALID_CURSOR');
  return { viewedAtMs, viewerId };
};
