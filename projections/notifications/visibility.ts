import { ALL_GROUPS } from './batch-facts.js';

// Who sees what of the notifications read model, one home for the writer (which keeps each
// group's `visible` and `unread` flags, write-batch.ts) and the reader (which names the actors of
// a page's groups, notifications-reader.ts).

/**
 * An actor the recipient sees: registered (a group never names an unknown user), and with no
 * block either way between the two. Both arguments are SQL expressions: the source row's name
 * (its actor_id is read) and the recipient's id.
 */
export const visibleActorSql = (source: string, recipient: string): string => `
  exists (select 1 from notification_users u where u.id = ${source}.actor_id and u.username is not null)
  and not exists (select 1 from notification_blocks b where b.active
    and ((b.blocker_id = ${recipient} and b.blocked_id = ${source}.actor_id) or (b.blocker_id = ${source}.actor_id and b.blocked_id = ${recipient})))`;

/** The read marks of group `g`'s recipient that cover it: the mark of every group (ra), the group's own (rg). */
export const READ_MARKS_OF_GROUP = `
  left join notification_reads ra on ra.user_id = g.recipient_id and ra.group_id = '${ALL_GROUPS}'
  left join notification_reads rg on rg.user_id = g.recipient_id and rg.group_id = g.id`;

/** Group `g` is read: its latest activity is not after the later of its recipient's marks that cover it. */
export const GROUP_READ = `coalesce(g.latest_at <= greatest(ra.read_up_to, rg.read_up_to), false)`;
