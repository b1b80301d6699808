import type pg from 'pg';
import { pairKey } from './batch-changes.js';

// The keys a generation being built has written (read-model.ts, mode 'build'), so that a batch
// reads back the stored state of those keys only (profiles' stored-state.ts). A build fills empty
// tables from the start of the log, alone: a row it never wrote holds nothing yet, and reading
// it back is a query that finds nothing, the largest share of a batch's reads when most events
// create their rows. One Bloom filter a table: its memory is fixed however many keys it takes,
// and it is never wrong about a key it was given (a key it was not given is, rarely, "maybe":
// then read). Each key's bits lie in one block of 512 bits, one cache line: one memory access.
//
// It speaks only while open: from `ready` (which adds the keys already stored, e.g. when a build
// is resumed) until `close`, once the generation may serve and other processes write into it
// too (finishBuild). Closed, every key "may" be stored, and every batch reads as a live one does.

const BLOCKS = 1 << 16;
const WORDS_PER_BLOCK = 16;
const PROBES = 4;

export class WrittenKeys<Table extends string> {
  // 4 MiB a table: at 3,000,000 keys (a table's rows after about 10,000,000 events), 1 "maybe" in 100.
  private readonly filters = new Map<Table, Uint32Array>();
  private opened = true;
  private loaded: Promise<void> | undefined;

  /**
   * Resolves once `load` has run (once, at the first call): it gives every key already stored to
   * `add`. Until it has, the filter may not be asked. Run again after a failure.
   */
  ready(load: () => Promise<void>): Promise<void> {
    this.loaded ??= load().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  add(table: Table, key: string): void {
    this.addNew(table, key);
  }

  /**
   * Adds the key, and answers whether it was new: true only while open, for a key never added
   * before (nothing is stored under it), as `!mayHave` then `add` would, hashing the key once.
   */
  addNew(table: Table, key: string): boolean {
    if (!this.opened) return false;
    const words = this.filter(table);
    const h = hash(key);
    const block = (h & (BLOCKS - 1)) * WORDS_PER_BLOCK;
    const step = (h >>> 25) | 1;
    let fresh = false;
    for (let i = 0, bit = (h >>> 16) & 511; i < PROBES; i++, bit = (bit + step) & 511) {
      const word = block + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if ((words[word]! & mask) === 0) fresh = true;
      words[word]! |= mask;
    }
    return fresh;
  }

  /** False only while open, for a key never added: nothing is stored under it. */
  mayHave(table: Table, key: string): boolean {
    if (!this.opened) return true;
    const words = this.filter(table);
    const h = hash(key);
    const block = (h & (BLOCKS - 1)) * WORDS_PER_BLOCK;
    const step = (h >>> 25) | 1;
    for (let i = 0, bit = (h >>> 16) & 511; i < PROBES; i++, bit = (bit + step) & 511) {
      if ((words[block + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Whether this pass is still the only writer (until `close`). */
  get open(): boolean {
    return this.opened;
  }

  /** From now on every key may be stored (another writer may have written it). */
  close(): void {
    this.opened = false;
    this.filters.clear();
  }

  private filter(table: Table): Uint32Array {
    let words = this.filters.get(table);
    if (words === undefined) this.filters.set(table, (words = new Uint32Array(BLOCKS * WORDS_PER_BLOCK)));
    return words;
  }
}

/** FNV-1a over the UTF-16 code units, mixed. */
const hash = (key: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h);
};

/** MurmurHash3's finaliser: every input bit moves every output bit, so that low bits are as good as high ones. */
const mix = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

const PAGE = 20_000;

/**
 * Gives `written` every key stored (none, when a build starts), a page at a time by key: of each
 * table (its name in the schema, the filter's name, to its uuid key columns), the key as the
 * batches make it (pairKey for two columns).
 */
export const addStoredKeys = async <Table extends string>(
  db: pg.ClientBase,
  written: WrittenKeys<Table>,
  keyColumns: Record<Table, readonly string[]>,
  tableName: (table: Table) => string = (table) => table,
): Promise<void> => {
  for (const [table, columns] of Object.entries(keyColumns) as [Table, readonly string[]][]) {
    const key = columns.join(', ');
    const keyOf = (row: Record<string, string>) => (columns.length === 1 ? row[columns[0]!]! : pairKey(row[columns[0]!]!, row[columns[1]!]!));
    let after: string[] | undefined;
    for (;;) {
      const where = after ? `where (${key}) > (${columns.map((_, i) => `$${i + 1}::uuid`).join(', ')})` : '';
      const { rows } = await db.query<Record<string, string>>(`select ${key} from ${tableName(table)} ${where} order by ${key} limit ${PAGE}`, after ?? []);
      for (const row of rows) written.add(table, keyOf(row));
      if (rows.length < PAGE) break;
      after = columns.map((column) => rows.at(-1)![column]!);
    }
  }
};

/**
 * The keys of `keys` no batch has written (none once closed, or without `written`), asked before
 * the batch adds its own: rows a build's only writer may append with COPY instead of an upsert.
 * Only keys in lower case, as the stored uuids read back on `resume` (addStoredKeys) are.
 */
export const unstoredKeys = <Table extends string>(keys: Iterable<string>, table: Table, written: WrittenKeys<Table> | undefined): ReadonlySet<string> => {
  const unstored = new Set<string>();
  if (!written?.open) return unstored;
  for (const key of keys) if (!written.mayHave(table, key) && key === key.toLowerCase()) unstored.add(key);
  return unstored;
};

/** Adds the batch's keys of `table` (and each one's lower-case spelling, as stored, when it differs). */
export const addWrittenKeys = <Table extends string>(written: WrittenKeys<Table>, table: Table, keys: Iterable<string>): void => {
  for (const key of keys) {
    written.add(table, key);
    // As stored (uuids in lower case), so that an id spelled in capitals makes the lower-case one "maybe" stored too.
    const lower = key.toLowerCase();
    if (lower !== key) written.add(table, lower);
  }
};
