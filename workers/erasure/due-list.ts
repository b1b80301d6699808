import type pg from 'pg';
import { asPosition, type EventData, type Position, type RecordedEvent } from '../../events/index.js';
import { createUnderLock } from '../../events/postgres/transaction.js';
import type { Reactor } from '../runtime/reactor.js';

// The erasure worker's due list (docs/architecture.md "The erasure worker"): which accounts are in
// their deletion grace period, until when, and which are erased already. A log reactor of its own
// (checkpoint `reactor:erasure`) keeps it from the user streams' lifecycle events:
//   AccountDeletionRequested: the account is pending, erase_after and the request's position kept;
//   AccountRestored:          its row goes (the account is back; a later request adds it again);
//   AccountErased:            its row is erased (the log part is over; what lives outside the log
//                             may not be scrubbed yet, so it stays due until the eraser marks it done).
// Each write is idempotent and rows only move forward (pending, erased, done), so reacting twice
// (at-least-once) is harmless. The eraser (eraser.ts) reads the rows not done whose erase_after has passed.

export interface DueAccount {
  userId: string;
  eraseAfter: string;
  /** The global position of AccountDeletionRequested: the read models the eraser reads must have passed it. */
  requestedPosition: Position;
}

export interface DueList {
  /** Accounts not done whose grace is over at `now`, earliest first, at most `limit`. */
  due(now: string, limit: number): Promise<DueAccount[]>;
  /** Deletion requested (again): pending until `eraseAfter`; a done row stays done. */
  requested(account: DueAccount): Promise<void>;
  /** The account was restored (or found active): its pending row goes. */
  drop(userId: string): Promise<void>;
  /** AccountErased is in the log (the scrub outside it may not have run yet). */
  erased(userId: string, erasedAt: string): Promise<void>;
  /** Erased and scrubbed: done for good. */
  done(userId: string): Promise<void>;
}

const SCHEMA = `
create table if not exists account_erasures (
  user_id uuid primary key,
  erase_after timestamptz not null,
  requested_position text collate "C" not null,
  status text not null check (status in ('pending', 'erased', 'done'))
);
create index if not exists account_erasures_due on account_erasures (erase_after) where status <> 'done';
`;

export const createPostgresDueList = (pool: pg.Pool): DueList => {
  // Created on first use, under a lock (several worker processes may start at once).
  let ready: Promise<void> | undefined;
  const ensure = () =>
    (ready ??= createUnderLock(pool, 'account-erasures-schema', SCHEMA).catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
  return {
    async due(now, limit) {
      await ensure();
      const { rows } = await pool.query<{ user_id: string; erase_after: Date; requested_position: string }>(
        `select user_id, erase_after, requested_position from account_erasures
         where status <> 'done' and erase_after <= $1 order by erase_after, user_id limit $2`,
        [now, limit],
      );
      return rows.map((row) => ({ userId: row.user_id, eraseAfter: row.erase_after.toISOString(), requestedPosition: asPosition(row.requested_position) }));
    },
    async requested({ userId, eraseAfter, requestedPosition }) {
      await ensure();
      await pool.query(
        `insert into account_erasures (user_id, erase_after, requested_position, status) values ($1, $2, $3, 'pending')
         on conflict (user_id) do update set erase_after = excluded.erase_after, requested_position = excluded.requested_position
         where account_erasures.status = 'pending'`,
        [userId, eraseAfter, requestedPosition],
      );
    },
    async drop(userId) {
      await ensure();
      await pool.query(`delete from account_erasures where user_id = $1 and status = 'pending'`, [userId]);
    },
    async erased(userId, erasedAt) {
      await ensure();
      await pool.query(
        `insert into account_erasures (user_id, erase_after, requested_position, status) values ($1, $2, '', 'erased')
         on conflict (user_id) do update set status = 'erased' where account_erasures.status = 'pending'`,
        [userId, erasedAt],
      );
    },
    async done(userId) {
      await ensure();
      await pool.query(`update account_erasures set status = 'done' where user_id = $1`, [userId]);
    },
  };
};

export const ERASURE_REACTOR = 'erasure';

/** The reactor that keeps the due list from the user streams' lifecycle events. */
export const createDueListReactor = (list: DueList): Reactor => ({
  name: ERASURE_REACTOR,
  eventTypes: ['AccountDeletionRequested', 'AccountRestored', 'AccountErased'],
  async react(event: RecordedEvent) {
    switch (event.type) {
      case 'AccountDeletionRequested': {
        const { userId, eraseAfter } = event.data as EventData<'AccountDeletionRequested'>;
        await list.requested({ userId, eraseAfter, requestedPosition: event.position });
        return;
      }
      case 'AccountRestored':
        await list.drop((event.data as EventData<'AccountRestored'>).userId);
        return;
      case 'AccountErased': {
        const { userId, erasedAt } = event.data as EventData<'AccountErased'>;
        await list.erased(userId, erasedAt);
        return;
      }
      default:
        return;
    }
  },
});
