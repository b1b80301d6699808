import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { KEY_CACHE_TTL_MS, WrongMasterKeyError, type MasterKey, type PersonalDataKeyStore } from './key-store.js';
import { DATA_KEY_BYTES, open, seal } from './sealed-text.js';
import { createUnderLock } from '../postgres/transaction.js';

// Personal data keys in PostgreSQL (table personal_data_keys, in the first schema of the pool's
// search_path, beside the events). Each data key is stored wrapped (sealed-text.ts) by the master
// key, bound to its person, so a copy of the table alone opens nothing and a row moved to another
// person does not open. Destroying deletes the row; PostgreSQL's own copies (WAL, backups) age
// out with their retention, which is what an operator states as the erasure delay.

const SCHEMA = `
create table if not exists personal_data_keys (
  person_id uuid primary key,
  wrapped_key text not null,
  master_key_id text not null,
  created_at timestamptz not null default now()
)`;

const INSERT = `insert into personal_data_keys (person_id, wrapped_key, master_key_id) values ($1, $2, $3)
  on conflict (person_id) do nothing returning wrapped_key, master_key_id`;
const SELECT = 'select person_id, wrapped_key, master_key_id from personal_data_keys where person_id = any($1::uuid[])';
const DELETE = 'delete from personal_data_keys where person_id = $1';

interface KeyRow {
  person_id: string;
  wrapped_key: string;
  master_key_id: string;
}

export interface PostgresKeyStoreOptions {
  /** How long a key read stays cached (default KEY_CACHE_TTL_MS); 0 caches nothing. */
  cacheTtlMs?: number;
  /** Keys kept in the cache at most; the oldest go first (default 100,000, about 10 MB). */
  cacheSize?: number;
  /** The clock of the cache's TTL (tests). */
  now?: () => number;
}

const wrapContext = (personId: string) => `personal-data-key|${personId}`;

/** The PostgreSQL key store, and the same store (one cache) querying another pool. */
export interface PostgresKeyStore extends PersonalDataKeyStore {
  /**
   * This store over another pool of the same database, sharing its cache: a process with pools of
   * its own for the API and for the projectors reads keys on each, and a destroy through either
   * forgets the key for both at once.
   */
  using(pool: pg.Pool): PersonalDataKeyStore;
}

export const createPostgresKeyStore = async (pool: pg.Pool, master: MasterKey, options: PostgresKeyStoreOptions = {}): Promise<PostgresKeyStore> => {
  // Under an advisory lock: `create table if not exists` is not safe when two processes start together.
  await createUnderLock(pool, 'personal_data_keys', SCHEMA);
  // A wrong master key stops the start here, by name, rather than at the first read of a sealed event.
  const { rows: stored } = await pool.query<{ master_key_id: string }>('select master_key_id from personal_data_keys limit 1');
  if (stored[0] && stored[0].master_key_id !== master.id) throw new WrongMasterKeyError(stored[0].master_key_id, master.id);
  const cache = createKeyCache(options);
  return { ...keyStoreOver(pool, master, cache), using: (other) => keyStoreOver(other, master, cache) };
};

interface KeyCache {
  remember(personId: string, key: Buffer): void;
  cached(personId: string): Buffer | undefined;
  forget(personId: string): void;
}

// Only keys that exist are cached: an absent key may be created by another process a moment
// later, and reading its sealed events as erased would write erased values into read models.
const createKeyCache = (options: PostgresKeyStoreOptions): KeyCache => {
  const ttlMs = options.cacheTtlMs ?? KEY_CACHE_TTL_MS;
  const maxSize = options.cacheSize ?? 100_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { key: Buffer; until: number }>();
  return {
    remember(personId, key) {
      if (ttlMs <= 0) return;
      entries.delete(personId);
      entries.set(personId, { key, until: now() + ttlMs });
      if (entries.size > maxSize) entries.delete(entries.keys().next().value!);
    },
    cached(personId) {
      const entry = entries.get(personId);
      if (entry && entry.until > now()) return entry.key;
      if (entry) entries.delete(personId);
      return undefined;
    },
    forget: (personId) => void entries.delete(personId),
  };
};

const keyStoreOver = (pool: pg.Pool, master: MasterKey, cache: KeyCache): PersonalDataKeyStore => {
  const unwrap = (row: Pick<KeyRow, 'wrapped_key' | 'master_key_id'>, personId: string): Buffer => {
    if (row.master_key_id !== master.id) throw new WrongMasterKeyError(row.master_key_id, master.id);
    return open(master.key, row.wrapped_key, wrapContext(personId));
  };
  const keysOf = async (personIds: readonly string[]): Promise<Map<string, Buffer>> => {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const personId of new Set(personIds)) {
      const key = cache.cached(personId);
      if (key) found.set(personId, key);
      else missing.push(personId);
    }
    if (missing.length === 0) return found;
    const { rows } = await pool.query<KeyRow>(SELECT, [missing]);
    for (const row of rows) {
      const key = unwrap(row, row.person_id);
      cache.remember(row.person_id, key);
      found.set(row.person_id, key);
    }
    return found;
  };

  return {
    keysOf,
    async keyFor(personId) {
      const known = (await keysOf([personId])).get(personId);
      if (known) return known;
      const key = randomBytes(DATA_KEY_BYTES);
      const { rows } = await pool.query<KeyRow>(INSERT, [personId, seal(master.key, key, wrapContext(personId)), master.id]);
      if (rows[0]) {
        cache.remember(personId, key);
        return key;
      }
      // Another process created it between our read and our insert: theirs is the key. A new
      // statement, so its snapshot sees their committed row.
      const theirs = (await keysOf([personId])).get(personId);
      if (!theirs) throw new Error(`personal data key of ${personId} was created and destroyed while being created; retry`);
      return theirs;
    },
    async destroy(personId) {
      cache.forget(personId);
      const { rowCount } = await pool.query(DELETE, [personId]);
      cache.forget(personId); // a read that raced the delete may have cached it again
      return (rowCount ?? 0) > 0;
    },
  };
};
