import { ALL_GROUPS } from './batch-facts.js';

// Who sees what of the notifications read model, one home for the writer (which keeps each
// group's `visible` and `unread` flags and each (group, actor)'s `visible` flag, write-batch.ts
// and group-actors.ts), and schema.ts, which derives them once for a deployment from before them.

/**
 * An actor the recipient sees: registered (a group never names an unknown user), with an active
 * account (one being deleted is hidden from everyone during its grace period, as if it did not
 * exist; restored, it shows again), and with no block either way between the two. Both arguments
 * are SQL expressions: the source row's name (its actor_id is read) and the recipient's id.
 */
export const visibleActorSql = (source: string, recipient: string): string => `
  exists (select 1 from notification_users u where u.id = ${source}.actor_id and u.username is not null and u.state = 'active')
  and not exists (select 1 from notification_blocks b where b.active
    and ((b.blocker_id = ${recipient} and b.blocked_id = ${source}.actor_id) or (b.blocker_id = ${source}.actor_id and b.blocked_id = ${recipient})))`;

/**
 * Group `g` is read: its latest activity is not after the later of its recipient's marks that
 * cover it (the mark of every group, ALL_GROUPS, and the group's own).
 */
export const GROUP_READ = `coalesce(g.latest_at <= (
  select max(r.read_up_to) from notification_reads r where r.user_id = g.recipient_id and r.group_id in (g.id, '${ALL_GROUPS}')
), false)`;

/**
 * Group `g` is listed: its recipient sees at least one of its actors (`actor_count`, the count of
 * its actors visibleActorSql lets through, kept by write-batch.ts; schema.ts backfills the flags).
 */
export const GROUP_VISIBLE = `g.actor_count > 0`;

/**
 * The user `id` (an SQL expression) is not erased: an erased account takes part in no group,
 * neither as recipient nor as actor, so that its groups and its part in others' are gone for
 * good (write-batch.ts derives its sources again when the erasure is applied).
 */
export const notErasedSql = (id: string): string => `not exists (select 1 from notification_users e where e.id = ${id} and e.state = 'erased')`;

/** Group `g` counts in its recipient's unread count (notification_unread): listed and not read. */
export const countsAsUnread = (g: string): string => `(${g}.visible and ${g}.unread)`;

/**
 * Sets each recipient's unread count to what their groups' flags count now (countsAsUnread): the
 * writer moves the counts by the flags that flip, and a build or an upgrade counts them once.
 */
export const COUNT_UNREAD = `insert into notification_unread (user_id, groups)
select g.recipient_id, count(*) from notification_groups g where ${countsAsUnread('g')} group by g.recipient_id
on conflict (user_id) do update set groups = excluded.groups`;
