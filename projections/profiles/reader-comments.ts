import type pg from 'pg';
import type { UploadedMediaItem } from '../../events/index.js';
import { toPage, type Page, type PageRequest } from '../runtime/page.js';
import { LISTED_FOR } from './access-sql.js';
import { cursorKey, isUuid, keysetOf } from './keyset.js';
import type { CommentView } from './reader-types.js';

interface CommentRow {
  id: string;
  post_id: string;
  parent_id: string | null;
  author_id: string;
  username: string;
  display_name: string;
  private: boolean;
  avatar: UploadedMediaItem | null;
  text: string;
  created_at: Date;
  reply_count: number;
}

/**
 * A post's comments, oldest first: the top-level ones (`parentId` null) or the replies to one
 * comment. Deleted comments are hidden (their replies stay reachable by the parent's id), and so
 * are comments and replies of unlisted authors (deleting, erased), except to their author.
 */
export const comments = async (
  db: pg.Pool,
  postId: string,
  thread: { parentId: string | null },
  request: PageRequest,
  viewerId: string | null = null,
): Promise<Page<CommentView>> => {
  const keyset = keysetOf(request);
  if (!isUuid(postId) || (thread.parentId !== null && !isUuid(thread.parentId))) return { items: [], nextCursor: null };
  // Both forms mention $2, so that PostgreSQL can type the parameter either way.
  const level = thread.parentId === null ? 'c.parent_id is null and $2::uuid is null' : 'c.parent_id = $2::uuid';
  const { rows } = await db.query<CommentRow>(
    `select c.id, c.post_id, c.parent_id, c.author_id, u.username, u.display_name, u.private, u.avatar, c.text, c.created_at, c.reply_count
     from comments c join users u on u.id = c.author_id and ${LISTED_FOR('$6::uuid', 'u')}
     where c.post_id = $1 and ${level} and c.created_at is not null and c.deleted_at is null
       and ($3::timestamptz is null or (c.created_at, c.id) > ($3::timestamptz, $4::uuid))
     order by c.created_at, c.id
     limit $5`,
    [postId, thread.parentId, keyset.afterTime, keyset.afterId, keyset.limit + 1, viewerId !== null && isUuid(viewerId) ? viewerId : null],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.created_at, (r) => r.id), (row) => ({
    id: row.id,
    postId: row.post_id,
    parentId: row.parent_id,
    author: { id: row.author_id, username: row.username, displayName: row.display_name, private: row.private, avatar: row.avatar },
    text: row.text,
    createdAt: row.created_at.toISOString(),
    replyCount: row.reply_count,
  }));
};
