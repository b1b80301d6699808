import type pg from 'pg';
import { AppError } from '../../kernel/errors.js';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../runtime/page.js';
import type { NotificationKind } from './subscribed-events.js';
import { notificationText } from './notification-text.js';

// The read side of the notifications read model. An actor with a block either way with the
// reader is left out of every group (and its count), and a group left without actors is not
// listed (nor counted as unread); actors whose registration has not been applied yet are left out
// the same way, so that a group never names an unknown user. The rule is visibility.ts; the
// writer keeps its outcome in each (group, actor)'s and each group's `visible` flag and in each
// group's actor count, so that the list, its actors and the unread count cost what a page
// costs, whatever the number of groups or of actors in them (review F9).

export interface NotificationActor {
  id: string;
  username: string;
  displayName: string;
}

export interface NotificationItem {
  id: string;
  type: NotificationKind;
  post?: { id: string };
  comment?: { id: string };
  /** Newest first, at most ACTORS_SHOWN. */
  actors: NotificationActor[];
  actorCount: number;
  text: string;
  /** The group's latest activity. */
  createdAt: string;
  read: boolean;
}

export interface NotificationsReader {
  /** The user's notification groups, latest activity first. */
  list(userId: string, page: PageRequest): Promise<Page<NotificationItem>>;
  unreadCount(userId: string): Promise<number>;
  /** One group as its recipient sees it; null when unknown or empty for them. */
  item(userId: string, groupId: string): Promise<NotificationItem | null>;
}

export const ACTORS_SHOWN = 3;

interface GroupRow {
  id: string;
  kind: NotificationKind;
  post_id: string | null;
  comment_id: string | null;
  latest_at: Date;
  read: boolean;
  actor_count: number;
}

// A page is an index range of the recipient's visible groups (notification_groups_listed): the
// groups of an actor the recipient blocked were hidden when the block was applied, so none is
// read to be skipped, however many there are.
const GROUPS = (where: string) => `
select g.id, g.kind, g.post_id, g.comment_id, g.latest_at, not g.unread as read, g.actor_count
from notification_groups g
where g.recipient_id = $1 and g.visible and ${where}
order by g.latest_at desc, g.id desc
limit $2`;

// The newest ACTORS_SHOWN actors the recipient sees of each group: an index range per group
// (notification_group_actors_shown), so a group with ten thousand likers, or with thousands of
// actors the recipient blocked, costs what one with three does. The count is the group's own.
const ACTORS = `
select x.group_id, a.actor_id, u.username, u.display_name
from unnest($1::uuid[]) as x(group_id)
cross join lateral (
  select a.actor_id, a.latest_at from notification_group_actors a
  where a.group_id = x.group_id and a.visible
  order by a.latest_at desc, a.actor_id desc
  limit ${ACTORS_SHOWN}
) a
join notification_users u on u.id = a.actor_id
order by x.group_id, a.latest_at desc, a.actor_id desc`;

/** The maintained count of the recipient's visible unread groups (write-batch.ts): one row, never a scan of the groups. */
const UNREAD = `select groups as count from notification_unread where user_id = $1`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cursorKey = (cursor: string): [string, string] => {
  const [at, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
  if (Number.isNaN(Date.parse(at)) || !UUID.test(id)) throw new AppError('INVALID_CURSOR');
  return [at, id];
};

const hydrate = async (db: pg.Pool, groups: readonly GroupRow[]): Promise<NotificationItem[]> => {
  if (groups.length === 0) return [];
  const { rows } = await db.query<{ group_id: string; actor_id: string; username: string; display_name: string | null }>(ACTORS, [groups.map((g) => g.id)]);
  return groups.flatMap((group) => {
    const mine = rows.filter((row) => row.group_id === group.id);
    if (mine.length === 0) return [];
    const actors = mine.map((row) => ({ id: row.actor_id, username: row.username, displayName: row.display_name ?? '' }));
    const actorCount = group.actor_count;
    return [
      {
        id: group.id,
        type: group.kind,
        ...(group.post_id ? { post: { id: group.post_id } } : {}),
        ...(group.comment_id ? { comment: { id: group.comment_id } } : {}),
        actors,
        actorCount,
        text: notificationText(group.kind, actors.map((a) => a.username), actorCount, group.comment_id !== null && group.kind === 'mention'),
        createdAt: group.latest_at.toISOString(),
        read: group.read,
      },
    ];
  });
};

export const createNotificationsReader = (db: pg.Pool): NotificationsReader => ({
  async list(userId, request) {
    const limit = pageLimit(request);
    const after = request.cursor ? cursorKey(request.cursor) : null;
    const { rows } = after
      ? await db.query<GroupRow>(GROUPS('(g.latest_at, g.id) < ($3::timestamptz, $4::uuid)'), [userId, limit + 1, ...after])
      : await db.query<GroupRow>(GROUPS('true'), [userId, limit + 1]);
    const page = toPage(rows, limit, (row) => [row.latest_at.toISOString(), row.id], (row) => row);
    return { items: await hydrate(db, page.items), nextCursor: page.nextCursor };
  },
  async unreadCount(userId) {
    const { rows } = await db.query<{ count: number }>(UNREAD, [userId]);
    return rows[0]?.count ?? 0;
  },
  async item(userId, groupId) {
    const { rows } = await db.query<GroupRow>(GROUPS('g.id = $3'), [userId, 1, groupId]);
    return (await hydrate(db, rows))[0] ?? null;
  },
});
