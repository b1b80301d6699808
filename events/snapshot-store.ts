import { createHash } from 'node:crypto';
import type { RecordedEvent } from './envelope.js';
import type { Position } from './position.js';

// The snapshot port, beside the EventStore port it accelerates (docs/architecture.md "Write
// side"). A snapshot is a cache of a stream's folded state at one revision, under a key that
// names the state's shape (the decider's `snapshot.key`, bumped whenever that shape changes):
// reading "from the snapshot" gives it and the events after it, so the write side folds a short
// tail instead of the whole stream. The log stays the truth: snapshots can be truncated at any
// time, a snapshot under another key is never returned, and `replay` never reads them. Adapters
// pass the contract suite in test/integration/snapshot-store.contract.ts.

export interface StreamSnapshot {
  /** The revision of the last event folded into `state` (0-based). */
  revision: number;
  /** That event's global position (what a command that appends nothing answers). */
  position: Position;
  /** The folded state, as JSON. */
  state: unknown;
}

export interface StreamFromSnapshot {
  /** The stream's snapshot under the key asked for, or null (none, or not intact). */
  snapshot: StreamSnapshot | null;
  /** The events after the snapshot's revision, or the whole stream without one, in revision order. */
  events: RecordedEvent[];
}

export interface SnapshotStore {
  /** The snapshot of `streamId` under `key` and the events after it; one round trip on PostgreSQL. */
  readFromSnapshot(streamId: string, key: string): Promise<StreamFromSnapshot>;
  /**
   * Keeps `snapshot` as the stream's snapshot under `key`, unless one of a later revision is kept
   * already: a snapshot only moves forward, so a slow writer never replaces a newer one.
   */
  saveSnapshot(streamId: string, key: string, snapshot: StreamSnapshot): Promise<void>;
}

/**
 * Binds a stored snapshot to its stream, key, revision, position and state, so that a row not
 * written by saveSnapshot (edited by hand, copied to another stream, damaged) is not trusted.
 * Computed over canonical JSON (object keys sorted), because PostgreSQL's jsonb does not keep
 * key order.
 */
export const snapshotDigest = (streamId: string, key: string, snapshot: StreamSnapshot): string =>
  createHash('sha256')
    .update(JSON.stringify([streamId, key, snapshot.revision, snapshot.position, canonical(snapshot.state)]))
    .digest('base64url');

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  );
};
