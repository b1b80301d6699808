import { describe, expect, it } from 'vitest';
import { bulkUpsert, registerColumns, revisionedRowUpsert, truncMs } from '../../../projections/runtime/bulk-upsert.js';

// The statement the builder writes, rule by rule (the read models' own tests check what the
// statements do to real tables).

const normalized = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('bulkUpsert', () => {
  it('unpacks the JSON rows, inserts them in key order and merges each column by its rule', () => {
    const sql = bulkUpsert({
      table: 'things',
      key: ['id'],
      ordered: true,
      columns: [
        { name: 'id', type: 'uuid' },
        { name: 'created_at', type: 'timestamptz', insert: truncMs, merge: 'keep' },
        { name: 'status', type: 'text', merge: 'replace' },
        { name: 'seen_at', type: 'timestamptz', merge: 'replaceUnlessNull' },
        { name: 'likes', type: 'int', merge: 'add' },
        { name: 'deleted', type: 'boolean', merge: 'or' },
        { name: 'read_up_to', type: 'timestamptz', merge: 'greatest' },
        ...registerColumns('name', 'text', (name) => `coalesce(${name}, '')`),
        { name: 'custom', type: 'int', merge: { sql: (stored) => `${stored}.custom * 2` } },
      ],
    });
    expect(normalized(sql)).toBe(
      normalized(`insert into things (id, created_at, status, seen_at, likes, deleted, read_up_to, name, name_rev, custom)
        select incoming.id, date_trunc('milliseconds', incoming.created_at), incoming.status, incoming.seen_at, incoming.likes,
          incoming.deleted, incoming.read_up_to, coalesce(incoming.name, ''), incoming.name_rev, incoming.custom
        from json_to_recordset($1::json) as incoming(id uuid, created_at timestamptz, status text, seen_at timestamptz, likes int,
          deleted boolean, read_up_to timestamptz, name text, name_rev int, custom int)
        order by incoming.id
        on conflict (id) do update set
          created_at = coalesce(things.created_at, excluded.created_at),
          status = excluded.status,
          seen_at = coalesce(excluded.seen_at, things.seen_at),
          likes = things.likes + excluded.likes,
          deleted = things.deleted or excluded.deleted,
          read_up_to = greatest(things.read_up_to, excluded.read_up_to),
          name = case when excluded.name_rev > things.name_rev then excluded.name else things.name end,
          name_rev = greatest(things.name_rev, excluded.name_rev),
          custom = things.custom * 2`),
    );
  });

  it('reads camelCase JSON fields quoted, and leaves rows unordered unless asked', () => {
    const sql = bulkUpsert({
      table: 'sources',
      key: ['source_id'],
      columns: [
        { name: 'source_id', field: 'sourceId', type: 'text' },
        { name: 'kind', type: 'text', merge: 'replaceUnlessNull' },
      ],
    });
    expect(sql).toContain('select incoming."sourceId", incoming.kind');
    expect(sql).toContain('as incoming("sourceId" text, kind text)');
    expect(sql).not.toContain('order by');
  });
});

describe('revisionedRowUpsert', () => {
  it('replaces the whole row, revision included, only for a higher revision', () => {
    const sql = normalized(
      revisionedRowUpsert({
        table: 'likes',
        key: ['post_id', 'user_id'],
        ordered: true,
        columns: [
          { name: 'post_id', type: 'uuid' },
          { name: 'user_id', type: 'uuid' },
          { name: 'active', type: 'boolean', merge: 'replace' },
        ],
      }),
    );
    expect(sql).toContain('order by incoming.post_id, incoming.user_id');
    expect(sql).toContain('on conflict (post_id, user_id) do update set active = excluded.active, rev = excluded.rev where likes.rev < excluded.rev');
  });
});
