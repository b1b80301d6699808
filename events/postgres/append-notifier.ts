import type pg from 'pg';
import { CHANNEL } from './notification-listener.js';

// Tells listening subscribers that events were appended. PostgreSQL serialises the commits of
// all transactions that NOTIFY (a database-wide lock held through commit), so an append that
// notified in its own transaction could not share a commit flush with others: 50 concurrent
// appenders ran at half speed (bench/event-store-append.ts). Instead appends commit without
// it, and this sends one notification at a time after them: a lone append is notified at once;
// appends that finish while one is in flight are covered by one more, sent at most MIN_GAP_MS
// after it, so the last append is always followed by a notification that started after it
// committed.
//
// A notification need not survive a crash, so its transaction commits without waiting for the
// WAL flush (set_config local to the statement's own transaction).
const NOTIFY = `select set_config('synchronous_commit', 'off', true), pg_notify('${CHANNEL}', current_schema())`;

export interface AppendNotifier {
  /** Call after an append committed. */
  appended(): void;
  /** Resolves when no notification is in flight (before the caller ends the pool). */
  drained(): Promise<void>;
}

const ignore = () => undefined;
const MIN_GAP_MS = 10;

export const createAppendNotifier = (pool: pg.Pool): AppendNotifier => {
  let sending = false;
  let pending = false;
  let current: Promise<void> = Promise.resolve();

  // `sending` and `pending` change in the same callback, so no append can slip in between
  // the last notification's check and the notifier going idle.
  const send = () => {
    sending = true;
    current = pool
      .query(NOTIFY)
      // A lost notification only delays subscribers to their next poll.
      .then(ignore, ignore)
      .then(async () => {
        if (!pending) return void (sending = false);
        // Under a stream of appends one notification per gap wakes subscribers just as well,
        // and spares the database a query per append.
        await new Promise((resolve) => setTimeout(resolve, MIN_GAP_MS));
        pending = false;
        send();
      });
  };

  return {
    appended() {
      if (sending) pending = true;
      else send();
    },
    async drained() {
      while (sending) await current;
    },
  };
};
