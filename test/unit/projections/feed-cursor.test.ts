import { describe, expect, it } from 'vitest';
import { decodeFeedCursor, encodeFeedCursor } from '../../../projections/feed/feed-cursor.js';
import { encodeCursor } from '../../../projections/runtime/page.js';

// Feed cursors (projections/feed/feed-cursor.ts) are remembered by post id: a remembered one must
// still be the cursor of the key asked for, never that of another score of the same post.
describe('feed cursor', () => {
  // Rule: a cursor names the last item's (score, postId), and a page resumes strictly after it.
  it('encodes the key asked for, also when the same post came with another score', () => {
    const postId = 'b6f1c5c8-8d1e-4a5e-9a57-1f0c2d3e4f50';
    const first = encodeFeedCursor({ score: 1_000, postId });
    expect(first).toBe(encodeCursor([1_000, postId]));
    expect(encodeFeedCursor({ score: 1_000, postId })).toBe(first);
    const moved = encodeFeedCursor({ score: 2_000, postId });
    expect(decodeFeedCursor(moved)).toEqual({ score: 2_000, postId });
    expect(decodeFeedCursor(encodeFeedCursor({ score: 1_000, postId }))).toEqual({ score: 1_000, postId });
    // Many others meanwhile (past the bound) change nothing of the answer.
    for (let i = 0; i < 20_000; i++) encodeFeedCursor({ score: i, postId: `p${i}` });
    expect(decodeFeedCursor(encodeFeedCursor({ score: 3, postId: 'p3' }))).toEqual({ score: 3, postId: 'p3' });
    expect(decodeFeedCursor(encodeFeedCursor({ score: 1_000, postId }))).toEqual({ score: 1_000, postId });
  });
});
