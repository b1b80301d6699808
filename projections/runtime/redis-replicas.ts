import type { Cluster, Redis } from 'ioredis';

/**
 * How long a batch waits for a primary's replica to acknowledge its writes. Replication on
 * loopback or in one zone takes well under a millisecond; a replica that has not answered in this
 * long is stuck or gone, and the batch goes on without it rather than stall the read model.
 */
export const REPLICA_WAIT_MS = 500;

export interface ReplicaWait {
  /** The primaries (host:port) waited on: those with a replica in the client's slot map. */
  waited: string[];
  /** Of those, the ones whose replica had not acknowledged within REPLICA_WAIT_MS. */
  unacknowledged: string[];
}

const NOTHING: ReplicaWait = { waited: [], unacknowledged: [] };

/**
 * Waits until a replica of every Redis Cluster primary holds what this client wrote to it
 * (`WAIT 1`), so that a read model's checkpoint, stored after this, never runs ahead of writes a
 * failover could lose: replication is asynchronous, and a write acknowledged by a primary in the
 * instant before it died is missing on the replica promoted in its place. Without the wait, the
 * checkpoint would say the batch is applied and no retry would ever bring it back.
 *
 * `WAIT` covers the writes sent on the connection it is sent on, so it goes to each primary on
 * the cluster client's own connection to it (`cluster.nodes('master')`), after the batch's
 * replies. A primary without a replica in the slot map (one just promoted, whose old primary has
 * not rejoined) is not waited on: there is nothing to wait for. A replica that does not answer in
 * REPLICA_WAIT_MS is reported, not waited out: the batch goes on, as Redis's own asynchronous
 * replication would. A primary that cannot be reached fails the wait, and so the batch, which the
 * projector retries (its writes are idempotent) once the failover is done. A single server has no
 * replicas to wait for.
 */
export const waitForReplicas = async (client: Redis | Cluster, timeoutMs = REPLICA_WAIT_MS): Promise<ReplicaWait> => {
  if (!('isCluster' in client) || !client.isCluster) return NOTHING;
  const cluster = client as Cluster;
  const replicated = new Set<string>();
  for (const owners of cluster.slots) if (owners && owners.length > 1) replicated.add(owners[0]!);
  const primaries = cluster.nodes('master').filter((node) => replicated.has(`${node.options.host}:${node.options.port}`));
  const acknowledged = await Promise.all(primaries.map((node) => node.wait(1, timeoutMs)));
  const waited = primaries.map((node) => `${node.options.host}:${node.options.port}`);
  return { waited, unacknowledged: waited.filter((_, index) => acknowledged[index]! < 1) };
};
