// Where the ranked home feed pins a session's order (docs/architecture.md "Ranked home feed"):
// the first page ranks the candidates once and saves their ids under a new session id; later
// pages read the same list by the cursor's session and offset, so likes arriving between pages
// neither repeat nor skip a post. A cache of one request's work, not a read model: nothing of the
// log is in it, a replay never touches it, and a lost session only makes its cursor refused
// (400 INVALID_CURSOR; the client starts again from the first page). Adapters beside it: Redis
// (one key per session under the viewer's hash tag, expiring by itself) and PostgreSQL (an
// unlogged table, purged as it is written); one contract suite, test/integration/ranked-orders.contract.ts.

export interface RankedOrders {
  /** Pins `postIds` (ranked) for the viewer's session, for the adapter's TTL. */
  save(viewerId: string, sessionId: string, postIds: readonly string[]): Promise<void>;
  /** The ids pinned for that viewer's session, or null when there are none (never saved, expired, another viewer's). */
  load(viewerId: string, sessionId: string): Promise<string[] | null>;
}
