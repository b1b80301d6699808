import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterKeyOf, WrongMasterKeyError } from '../../events/personal-data/key-store.js';
import { createPostgresKeyStore } from '../../events/personal-data/key-store-postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { personalDataKeyStoreContract } from './personal-data-key-store.contract.js';

// The key store's contract on PostgreSQL, and what only the adapter shows: the row is deleted
// (not flagged), keys are stored wrapped, a wrong master key is refused by name, and another
// process's cache forgets a destroyed key within its TTL.

const master = masterKeyOf('test-master-secret-of-at-least-32-bytes!');

personalDataKeyStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return {
    keys: await createPostgresKeyStore(db.pool, master),
    other: () => createPostgresKeyStore(db.pool, master),
    cleanup: () => db.drop(),
  };
});

describe('PostgreSQL personal data keys', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const rowsOf = async (person: string) => (await db.pool.query<{ wrapped_key: string }>('select * from personal_data_keys where person_id = $1', [person])).rows;

  it('stores the key wrapped, and destroy deletes the row', async () => {
    const keys = await createPostgresKeyStore(db.pool, master);
    const person = uuidv7();
    const key = await keys.keyFor(person);
    const [row] = await rowsOf(person);
    expect(row!.wrapped_key.startsWith('enc:v1:')).toBe(true);
    expect(row!.wrapped_key).not.toContain(key.toString('base64url'));
    expect(Buffer.from(row!.wrapped_key.slice(7), 'base64url').includes(key)).toBe(false);
    await keys.destroy(person);
    expect(await rowsOf(person)).toEqual([]);
    expect((await db.pool.query('select count(*)::int as n from personal_data_keys where person_id = $1', [person])).rows[0].n).toBe(0);
  });

  it('refuses another master key, naming the setting: at the start, and at a read of a key it did not wrap', async () => {
    const person = uuidv7();
    const right = await createPostgresKeyStore(db.pool, master);
    await right.keyFor(person);
    const another = masterKeyOf('another-master-secret-of-32-bytes-or-more');
    await expect(createPostgresKeyStore(db.pool, another)).rejects.toThrow(WrongMasterKeyError);
    await expect(createPostgresKeyStore(db.pool, another)).rejects.toThrow(/PERSONAL_DATA_KEY/);
    // A row wrapped by another master key (as if written by a misconfigured process) is refused on read.
    const stranger = uuidv7();
    await db.pool.query(`insert into personal_data_keys (person_id, wrapped_key, master_key_id) select $1, wrapped_key, $2 from personal_data_keys where person_id = $3`, [stranger, another.id, person]);
    await expect(right.keysOf([stranger])).rejects.toThrow(WrongMasterKeyError);
    await db.pool.query('delete from personal_data_keys where person_id = $1', [stranger]);
  });

  it('a row moved to another person does not open', async () => {
    const keys = await createPostgresKeyStore(db.pool, master);
    const [a, b] = [uuidv7(), uuidv7()];
    await keys.keyFor(a);
    await db.pool.query('insert into personal_data_keys (person_id, wrapped_key, master_key_id) select $2, wrapped_key, master_key_id from personal_data_keys where person_id = $1', [a, b]);
    await expect((await createPostgresKeyStore(db.pool, master)).keysOf([b])).rejects.toThrow(/does not open/);
  });

  it('another process keeps a destroyed key until its cache TTL, then forgets it', async () => {
    let now = 1_000_000;
    const destroyer = await createPostgresKeyStore(db.pool, master);
    const other = await createPostgresKeyStore(db.pool, master, { cacheTtlMs: 30_000, now: () => now });
    const person = uuidv7();
    const key = await destroyer.keyFor(person);
    expect((await other.keysOf([person])).get(person)).toEqual(key);
    await destroyer.destroy(person);
    now += 29_000;
    expect((await other.keysOf([person])).get(person)).toEqual(key); // cached: the documented window
    now += 2_000;
    expect((await other.keysOf([person])).has(person)).toBe(false);
  });

  it('the same store over another pool shares its cache: a destroy through either is seen by both at once', async () => {
    const otherPool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const api = await createPostgresKeyStore(db.pool, master, { cacheTtlMs: 3_600_000 });
      const workers = api.using(otherPool);
      const person = uuidv7();
      const key = await api.keyFor(person);
      expect((await workers.keysOf([person])).get(person)).toEqual(key);
      await api.destroy(person);
      expect((await workers.keysOf([person])).has(person)).toBe(false);
      const again = await workers.keyFor(person);
      await workers.destroy(person);
      expect((await api.keysOf([person])).has(person)).toBe(false);
      expect(again).not.toEqual(key);
    } finally {
      await otherPool.end();
    }
  });

  it('creates its table when several stores start together on a fresh schema', async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => createPostgresKeyStore(fresh.pool, master)));
      const person = uuidv7();
      const got = await Promise.all(stores.map((s) => s.keyFor(person)));
      for (const key of got) expect(key).toEqual(got[0]);
    } finally {
      await fresh.drop();
    }
  });
});
