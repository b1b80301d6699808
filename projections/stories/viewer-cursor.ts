import type { ViewerKey } from './stories-store.js';

// Opaque keyset cursors for viewer lists: base64url of the last item's (viewedAt ms, viewerId).
// A page resumes strictly after that item, so views that arrive meanwhile (always newer, so
// at the front) neither shift nor repeat what later pages hold.

export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;
  constructor(cursor: string) {
    super(`not a cursor of this list: ${cursor.slice(0, 64)}`);
    this.name = 'InvalidCursorError';
  }
}

export const encodeViewerCursor = (key: ViewerKey): string => Buffer.from(JSON.stringify([key.viewedAtMs, key.viewerId])).toString('base64url');

export const decodeViewerCursor = (cursor: string): ViewerKey => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError(cursor);
  const [viewedAtMs, viewerId] = parsed as unknown[];
  if (!Number.isSafeInteger(viewedAtMs) || (viewedAtMs as number) < 0 || typeof viewerId !== 'string' || viewerId === '') {
    throw new InvalidCursorError(cursor);
  }
  return { viewedAtMs: viewedAtMs as number, viewerId };
};
