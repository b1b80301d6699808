import type pg from 'pg';
import { listenOnSchemaChannel } from '../../events/postgres/schema-channel.js';
import { inTransaction } from '../../events/postgres/transaction.js';
import type { ErasableSessionStore, Revocation, Rotation, SessionRecord } from './session-store.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

// Sessions in PostgreSQL. A revocation and its announcement commit together: pg_notify inside the
// revoking statement is delivered, to every process listening, only when that commits. Channel
// per schema ("sessions.<schema>"), so that test files sharing a database stay apart.

const SCHEMA = `
  create table if not exists sessions (
    session_id uuid primary key,
    user_id uuid not null,
    username text not null,
    device text not null,
    address text not null,
    created_at timestamptz not null,
    last_used_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
  );
  create index if not exists sessions_by_user on sessions (user_id) where revoked_at is null;
  create index if not exists sessions_by_revocation on sessions (revoked_at) where revoked_at is not null;
  create table if not exists refresh_tokens (
    token_hash bytea primary key,
    session_id uuid not null references sessions (session_id) on delete cascade,
    superseded_at timestamptz
  );
  create index if not exists refresh_tokens_by_session on refresh_tokens (session_id);
  create table if not exists stream_tickets (
    ticket_hash bytea primary key,
    session_id uuid not null references sessions (session_id) on delete cascade,
    user_id uuid not null,
    username text not null,
    expires_at timestamptz not null,
    token_expires_at timestamptz not null
  );
  create index if not exists stream_tickets_by_expiry on stream_tickets (expires_at)`;

interface SessionRow {
  session_id: string;
  user_id: string;
  username: string;
  device: string;
  address: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
}

const COLUMNS = 'session_id, user_id, username, device, address, created_at, last_used_at, expires_at';

const recordOf = (row: SessionRow): SessionRecord => ({
  sessionId: row.session_id,
  userId: row.user_id,
  username: row.username,
  device: row.device,
  address: row.address,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
});

interface RevocationRow {
  session_id: string;
  user_id: string;
  revoked_at: Date;
}
const revocationOf = (row: RevocationRow): Revocation => ({ sessionId: row.session_id, userId: row.user_id, revokedAt: row.revoked_at });

/** Sets revoked_at on the chosen live sessions and announces each: `where` names them by $2... */
const revokeWhere = (where: string) => `
  with revoked as (
    update sessions set revoked_at = $1 where revoked_at is null and ${where}
    returning session_id, user_id, revoked_at
  )
  select session_id, user_id, revoked_at,
    pg_notify('sessions.' || current_schema(), json_build_object('s', session_id, 'u', user_id, 't', revoked_at)::text)
  from revoked`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PostgresSessionStoreOptions {
  /** Connection of the LISTEN client; defaults to the pool's. */
  listenerConfig?: pg.ClientConfig;
  /** Wait before listening again after the LISTEN connection dropped (default 1 s). */
  reconnectDelayMs?: number;
}

export const createPostgresSessionStore = async (pool: pg.Pool, options: PostgresSessionStoreOptions = {}): Promise<ErasableSessionStore> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'sessions-schema', SCHEMA);
  const { reconnectDelayMs = 1_000 } = options;

  const revokeAll = async (where: string, params: unknown[], now: Date) =>
    (await pool.query<RevocationRow>(revokeWhere(where), [now, ...params])).rows.map(revocationOf);

  return {
    create: ({ sessionId, userId, username, device, address, refreshTokenHash, now, expiresAt }) =>
      inTransaction(pool, async (client) => {
        await client.query(`insert into sessions (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $6, $7)`, [sessionId, userId, username, device, address, now, expiresAt]);
        await client.query('insert into refresh_tokens (token_hash, session_id) values ($1, $2)', [refreshTokenHash, sessionId]);
      }),

    rotate: ({ presentedHash, nextHash, address, now, expiresAt }) =>
      inTransaction(pool, async (client): Promise<Rotation> => {
        // The token and session rows locked: of two refreshes racing with one token, the second
        // waits and then sees it superseded (both rows: a lock on the session alone would let it
        // see the token row as its snapshot had it, unsuperseded).
        const { rows } = await client.query<{ session_id: string; user_id: string; superseded_at: Date | null; revoked_at: Date | null; expires_at: Date }>(
          `select s.session_id, s.user_id, t.superseded_at, s.revoked_at, s.expires_at
             from refresh_tokens t join sessions s using (session_id)
            where t.token_hash = $1
            for update`,
          [presentedHash],
        );
        const found = rows[0];
        if (!found || found.revoked_at !== null || found.expires_at <= now) return { outcome: 'invalid' };
        if (found.superseded_at !== null) {
          await client.query(revokeWhere('session_id = $2'), [now, found.session_id]);
          return { outcome: 'reused', sessionId: found.session_id, userId: found.user_id };
        }
        await client.query('update refresh_tokens set superseded_at = $2 where token_hash = $1', [presentedHash, now]);
        await client.query('insert into refresh_tokens (token_hash, session_id) values ($1, $2)', [nextHash, found.session_id]);
        const updated = await client.query<SessionRow>(
          `update sessions set last_used_at = $2, expires_at = $3, address = $4 where session_id = $1 returning ${COLUMNS}`,
          [found.session_id, now, expiresAt, address],
        );
        return { outcome: 'rotated', session: recordOf(updated.rows[0]!) };
      }),

    async list(userId, now) {
      const { rows } = await pool.query<SessionRow>(
        `select ${COLUMNS} from sessions where user_id = $1 and revoked_at is null and expires_at > $2 order by last_used_at desc, session_id`,
        [userId, now],
      );
      return rows.map(recordOf);
    },

    async revoke(sessionId, now, owner) {
      if (!UUID.test(sessionId)) return null;
      const revoked = owner === undefined ? await revokeAll('session_id = $2', [sessionId], now) : await revokeAll('session_id = $2 and user_id = $3', [sessionId, owner], now);
      return revoked[0] ?? null;
    },

    revokeAll: (userId, now, { except } = {}) =>
      except === undefined ? revokeAll('user_id = $2', [userId], now) : revokeAll('user_id = $2 and session_id <> $3', [userId, except], now),

    erase: (userId, now) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query<RevocationRow>(revokeWhere('user_id = $2'), [now, userId]);
        await client.query('delete from refresh_tokens where session_id in (select session_id from sessions where user_id = $1)', [userId]);
        await client.query('delete from stream_tickets where user_id = $1', [userId]);
        await client.query(`update sessions set device = '', address = '', username = '' where user_id = $1`, [userId]);
        return rows.map(revocationOf);
      }),

    async revokedSince(since) {
      const { rows } = await pool.query<RevocationRow>('select session_id, user_id, revoked_at from sessions where revoked_at >= $1', [since]);
      return rows.map(revocationOf);
    },

    async isRevoked(sessionId) {
      if (!UUID.test(sessionId)) return true;
      const { rows } = await pool.query<{ revoked: boolean }>('select revoked_at is not null as revoked from sessions where session_id = $1', [sessionId]);
      // A session unknown here was never issued by this deployment (or was deleted): not usable.
      return rows[0]?.revoked ?? true;
    },

    async purgeEnded(now, revokedBefore, limit) {
      const { rowCount } = await pool.query(
        `delete from sessions where session_id in (
           select session_id from sessions where expires_at < $1 or revoked_at < $2 limit $3)`,
        [now, revokedBefore, limit],
      );
      return rowCount ?? 0;
    },

    async issueTicket({ ticketHash, sessionId, userId, username, expiresAt, tokenExpiresAt }) {
      // Expired tickets go as new ones come: the table holds about a minute's worth.
      await pool.query('delete from stream_tickets where expires_at < now()');
      await pool.query(
        'insert into stream_tickets (ticket_hash, session_id, user_id, username, expires_at, token_expires_at) values ($1, $2, $3, $4, $5, $6)',
        [ticketHash, sessionId, userId, username, expiresAt, tokenExpiresAt],
      );
    },

    async redeemTicket(ticketHash, now) {
      // Deleted as it is read: a second use of the same ticket finds nothing.
      const { rows } = await pool.query<{ session_id: string; user_id: string; username: string; expires_at: Date; token_expires_at: Date; revoked_at: Date | null }>(
        `with used as (delete from stream_tickets where ticket_hash = $1 returning *)
         select used.*, s.revoked_at from used join sessions s using (session_id)`,
        [ticketHash],
      );
      const row = rows[0];
      if (!row || row.revoked_at !== null || row.expires_at <= now || row.token_expires_at <= now) return null;
      return { ticketHash, sessionId: row.session_id, userId: row.user_id, username: row.username, expiresAt: row.expires_at, tokenExpiresAt: row.token_expires_at };
    },

    async listen({ onRevoked, onUp, onDown }) {
      let closed = false;
      let current: pg.Client | null = null;
      const receive = (text: string | undefined) => {
        try {
          const { s, u, t } = JSON.parse(text ?? '') as { s?: unknown; u?: unknown; t?: unknown };
          if (typeof s === 'string' && typeof u === 'string' && typeof t === 'string') onRevoked({ sessionId: s, userId: u, revokedAt: new Date(t) });
        } catch {
          // not ours
        }
      };
      const connect = async (): Promise<void> => {
        const client = await listenOnSchemaChannel(options.listenerConfig ?? pool.options, 'sessions', receive);
        current = client;
        client.once('end', () => {
          current = null;
          if (closed) return;
          onDown();
          retry();
        });
        onUp();
      };
      const retry = () => {
        setTimeout(() => {
          if (!closed) connect().catch(retry);
        }, reconnectDelayMs).unref();
      };
      await connect();
      return async () => {
        closed = true;
        await (current as pg.Client | null)?.end().catch(() => undefined);
      };
    },
  };
};
