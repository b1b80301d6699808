import { visibleActorSql } from './visibility.js';

// The actors of each group, derived from its sources: one row of notification_group_actors per
// (group, actor), with the actor's latest activity in the group and whether the recipient sees
// them (visibility.ts), and each group's count of those it sees. The writer derives them when it
// rebuilds a group (write-batch.ts) and schema.ts once for a deployment from before them, with
// the same statements, so both end with the same rows.

/**
 * Derives the actor rows of the grouped sources `sourceFilter` selects (an SQL condition on
 * notification_sources); `returning` lets the writer count them in the same statement. A group's
 * id is a hash of its recipient, kind and target (write-batch.ts derivedSources), so its sources
 * all carry the same ones: grouping by them too yields one row per group, with no aggregate
 * state per group to pick one (an array_agg per group made a build's whole-table aggregate spill).
 */
export const INSERT_GROUP_ACTORS = (sourceFilter: string, returning = ''): string => `
insert into notification_group_actors (group_id, actor_id, recipient_id, latest_at, visible)
select a.group_id, a.actor_id, a.recipient_id, a.latest_at, ${visibleActorSql('a', 'a.recipient_id')}
from (
  select group_id, actor_id, resolved_recipient_id as recipient_id, max(occurred_at) as latest_at
  from notification_sources
  where group_id is not null and ${sourceFilter}
  group by group_id, actor_id, resolved_recipient_id
) a ${returning}`;

/** How many actors of group `g` its recipient sees, counted from the rows above. */
export const GROUP_ACTOR_COUNT = `(select count(*)::int from notification_group_actors a where a.group_id = g.id and a.visible)`;
