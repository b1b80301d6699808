import type pg from 'pg';
import { createUnderLock } from './postgres-transaction.js';

// Partition leases in PostgreSQL (docs/architecture.md "Partitioned projectors"). A lease is one
// row per partition of a projection, named by the partition's checkpoint key, saying which
// projector process holds it until when; beside it, each process running the projection renews a
// row of its own, so that the others know how many share the work. Every time is the database's
// (`now()`), so that the processes' clocks never have to agree; a process only compares its own
// monotonic clock with the lease length (see leased-projector.ts, fencing).

const TABLES = `
create table if not exists projection_leases (
  lease text primary key,
  projection text not null,
  partitions integer not null,
  partition integer not null,
  owner text not null,
  expires_at timestamptz not null
);
create index if not exists projection_leases_by_projection on projection_leases (projection, partitions);
create table if not exists projection_lease_owners (
  projection text not null,
  owner text not null,
  expires_at timestamptz not null,
  primary key (projection, owner)
)`;

export interface LeaseState {
  /** Live owners of the projection (this one included once it has renewed) and the partitions each holds unexpired. */
  owners: Map<string, number>;
  /** Partitions held (unexpired) by `owner`. */
  mine: number[];
  /** Partitions with no unexpired lease. */
  free: number[];
}

export interface PartitionLeases {
  setup(): Promise<void>;
  /**
   * Says this owner is alive and extends the leases it still holds unexpired; returns those
   * partitions (a lease that expired or was taken is not among them).
   */
  renew(): Promise<number[]>;
  state(): Promise<LeaseState>;
  /** Takes `partition` if nobody holds it unexpired; true when it is now this owner's. */
  claim(partition: number): Promise<boolean>;
  /** Lets `partition` go (only if this owner holds it). */
  release(partition: number): Promise<void>;
  /** Lets every partition go and says this owner has left. */
  leave(): Promise<void>;
}

export interface LeaseOptions {
  projection: string;
  /** How many partitions the projection is split into. */
  partitions: number;
  owner: string;
  leaseMs: number;
  /** The partition's lease name (its checkpoint key). */
  leaseName: (partition: number) => string;
}

export const ensureLeaseTables = (pool: pg.Pool): Promise<void> => createUnderLock(pool, 'projection_leases', TABLES);

export const createPartitionLeases = (pool: pg.Pool, { projection, partitions, owner, leaseMs, leaseName }: LeaseOptions): PartitionLeases => {
  const lease = `make_interval(secs => $3::double precision / 1000)`;
  return {
    setup: () => ensureLeaseTables(pool),
    async renew() {
      // Rows of owners gone for good (a process that died or restarted) are cleared on the way.
      await pool.query(
        `with gone as (delete from projection_lease_owners where projection = $1 and owner <> $2 and expires_at < now() - interval '1 hour')
         insert into projection_lease_owners (projection, owner, expires_at) values ($1, $2, now() + ${lease})
         on conflict (projection, owner) do update set expires_at = excluded.expires_at`,
        [projection, owner, leaseMs],
      );
      const { rows } = await pool.query<{ partition: number }>(
        `update projection_leases set expires_at = now() + ${lease}
         where projection = $1 and owner = $2 and partitions = $4 and expires_at > now() returning partition`,
        [projection, owner, leaseMs, partitions],
      );
      return rows.map((row) => row.partition).sort((a, b) => a - b);
    },
    async state() {
      const [owners, leases] = await Promise.all([
        pool.query<{ owner: string }>('select owner from projection_lease_owners where projection = $1 and expires_at > now()', [projection]),
        pool.query<{ partition: number; owner: string }>(
          'select partition, owner from projection_leases where projection = $1 and partitions = $2 and expires_at > now()',
          [projection, partitions],
        ),
      ]);
      const counts = new Map(owners.rows.map((row) => [row.owner, 0]));
      const held = new Set<number>();
      const mine: number[] = [];
      for (const row of leases.rows) {
        if (row.partition >= partitions) continue;
        held.add(row.partition);
        if (row.owner === owner) mine.push(row.partition);
        // A lease whose owner's own row expired still counts as held until it expires itself.
        if (counts.has(row.owner)) counts.set(row.owner, counts.get(row.owner)! + 1);
      }
      const free = Array.from({ length: partitions }, (_, index) => index).filter((index) => !held.has(index));
      return { owners: counts, mine: mine.sort((a, b) => a - b), free };
    },
    async claim(partition) {
      // The `where` makes two claimants of one expired lease serialise on its row: the second sees the first's fresh expiry and updates nothing.
      const { rowCount } = await pool.query(
        `insert into projection_leases (lease, projection, partitions, partition, owner, expires_at) values ($5, $1, $4, $6, $2, now() + ${lease})
         on conflict (lease) do update set owner = excluded.owner, expires_at = excluded.expires_at
         where projection_leases.expires_at <= now()`,
        [projection, owner, leaseMs, partitions, leaseName(partition), partition],
      );
      return rowCount === 1;
    },
    async release(partition) {
      await pool.query('delete from projection_leases where lease = $1 and owner = $2', [leaseName(partition), owner]);
    },
    async leave() {
      await pool.query('delete from projection_leases where projection = $1 and owner = $2', [projection, owner]);
      await pool.query('delete from projection_lease_owners where projection = $1 and owner = $2', [projection, owner]);
    },
  };
};
