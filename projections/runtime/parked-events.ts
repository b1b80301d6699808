import type pg from 'pg';
import { asPosition, type RecordedEvent } from '../../events/index.js';
import type { Queryable } from './checkpoints-postgres.js';
import type { Projection } from './projection.js';

// Parked events (docs/architecture.md "Projections", "Parked events"): an event a projection
// cannot apply, whatever the retries (its writes break a limit of the backend, a bug meets data
// it never expected), is set aside here so that the projection goes on past it instead of
// stopping at it for good. One table in PostgreSQL for every projection, keyed by projection and
// event: parking the same event again (a crash between parking and moving on) only counts the
// attempts. `replay parked` lists them; `replay retry-parked` re-applies them once fixed.

export interface ParkedEvent {
  projection: string;
  /** The event as the projection was given it, so that retry-parked re-applies exactly that. */
  event: RecordedEvent;
  position: string;
  eventId: string;
  type: string;
  error: string;
  attempts: number;
  parkedAt: string;
}

/** Where a projector sets aside the events it cannot apply. */
export interface ParkingLot {
  park(projection: string, event: RecordedEvent, error: unknown, attempts: number): Promise<void>;
}

/**
 * A message a worker cannot apply (the fan-out workers' Kafka chunks), parked in the same table:
 * `id` and `position` name it in its source (partition and offset), `payload` is what it carried.
 */
export interface ParkedMessage {
  id: string;
  position: string;
  type: string;
  payload: unknown;
}

const CREATE = `create table if not exists parked_events (
  projection text not null,
  position text collate "C" not null,
  event_id text not null,
  type text not null,
  error text not null,
  attempts integer not null,
  parked_at timestamptz not null default now(),
  event jsonb not null,
  primary key (projection, event_id)
)`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const ensureParkedEventsTable = async (db: Queryable): Promise<void> => {
  // Several processes setting up at once race on `create table if not exists`, as for checkpoints.
  try {
    await db.query(CREATE);
  } catch (error) {
    if (!['42P07', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
};

export const createParkingLot = (pool: pg.Pool) => {
  let ready: Promise<void> | undefined;
  const ensure = () => (ready ??= ensureParkedEventsTable(pool).catch((error: unknown) => {
    ready = undefined;
    throw error;
  }));
  return {
    async park(projection: string, event: RecordedEvent, error: unknown, attempts: number) {
      await ensure();
      await pool.query(
        `insert into parked_events (projection, position, event_id, type, error, attempts, event) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (projection, event_id) do update set error = excluded.error, attempts = parked_events.attempts + excluded.attempts, parked_at = now()`,
        [projection, event.position, event.eventId, event.type, messageOf(error).slice(0, 2000), attempts, JSON.stringify(event)],
      );
    },
    async parkMessage(projection: string, message: ParkedMessage, error: unknown, attempts: number) {
      await ensure();
      await pool.query(
        `insert into parked_events (projection, position, event_id, type, error, attempts, event) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (projection, event_id) do update set error = excluded.error, attempts = parked_events.attempts + excluded.attempts, parked_at = now()`,
        [projection, message.position, message.id, message.type, messageOf(error).slice(0, 2000), attempts, JSON.stringify(message.payload ?? null)],
      );
    },
    /** Parked events in log order, of one projection or all. */
    async list(projection?: string): Promise<ParkedEvent[]> {
      await ensure();
      const { rows } = await pool.query<{ projection: string; position: string; event_id: string; type: string; error: string; attempts: number; parked_at: Date; event: RecordedEvent }>(
        `select projection, position, event_id, type, error, attempts, parked_at, event from parked_events
         where $1::text is null or projection = $1 order by projection, position`,
        [projection ?? null],
      );
      return rows.map((r) => ({
        projection: r.projection,
        event: r.event,
        position: r.position,
        eventId: r.event_id,
        type: r.type,
        error: r.error,
        attempts: r.attempts,
        parkedAt: r.parked_at.toISOString(),
      }));
    },
    /** Parked events per projection (only projections with some). */
    async counts(): Promise<Map<string, number>> {
      await ensure();
      const { rows } = await pool.query<{ projection: string; n: number }>('select projection, count(*)::int as n from parked_events group by projection');
      return new Map(rows.map((r) => [r.projection, r.n]));
    },
    /**
     * The erasure of an account (workers/erasure/): a parked event holds the event as it was read,
     * personal text opened, so every parked event or message that names the person (their streams,
     * their id in its data or as its actor) goes. The number removed.
     */
    async eraseMentionsOf(userId: string): Promise<number> {
      await ensure();
      const { rowCount } = await pool.query(`delete from parked_events where strpos(event::text, $1) > 0`, [userId]);
      return rowCount ?? 0;
    },
    async remove(projection: string, eventId: string): Promise<void> {
      await ensure();
      await pool.query('delete from parked_events where projection = $1 and event_id = $2', [projection, eventId]);
    },
  } satisfies ParkingLot & Record<string, unknown>;
};

export type PostgresParkingLot = ReturnType<typeof createParkingLot>;

/**
 * Re-applies the parked events of `projection` through it (each alone, at its own position: a
 * checkpoint never moves back, and every write is idempotent), removing those that now succeed.
 */
export const retryParked = async (
  lot: PostgresParkingLot,
  projection: Projection,
): Promise<{ retried: string[]; stillFailing: { eventId: string; error: string }[] }> => {
  const retried: string[] = [];
  const stillFailing: { eventId: string; error: string }[] = [];
  for (const parked of await lot.list(projection.name)) {
    try {
      await projection.apply({ events: [parked.event], position: asPosition(parked.position), replay: false }, projection.name);
      await lot.remove(projection.name, parked.eventId);
      retried.push(parked.eventId);
    } catch (error) {
      await lot.park(projection.name, parked.event, error, 1);
      stillFailing.push({ eventId: parked.eventId, error: messageOf(error) });
    }
  }
  return { retried, stillFailing };
};
