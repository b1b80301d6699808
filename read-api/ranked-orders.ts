// Where the ranked home feed pins a session's order (docs/architecture.md "Ranked home feed"):
// the first page ranks the candidates once and saves their ids under a new session id; later
// pages read the same list by the cursor's session and offset, so likes arriving between pages
// neither repeat nor skip a post. A cache of one request's work, not a read model: nothing of the
// log is in it, a replay never touches it, and a lost session only makes its cursor refused
// (400 INVALID_CURSOR; the client starts again from the first page). Bounded per viewer: at most
// RANKING.SESSIONS_PER_VIEWER sessions, the oldest pushed out by a new one, each for
// RANKING.SESSION_TTL_MS. Time is the API process's clock, passed in (as the rate limits take
// it), so that tests move it. Adapters beside it: Redis (one hash per viewer under the viewer's
// hash tag) and PostgreSQL (an unlogged table); one contract suite,
// test/integration/ranked-orders.contract.ts.

export interface RankedOrders {
  /** Pins `postIds` (ranked) for the viewer's session from `nowMs`, pushing out the viewer's oldest sessions past the cap. */
  save(viewerId: string, sessionId: string, postIds: readonly string[], nowMs: number): Promise<void>;
  /** The ids pinned for that viewer's session, or null when there are none at `nowMs` (never saved, expired, pushed out, another viewer's). */
  load(viewerId: string, sessionId: string, nowMs: number): Promise<string[] | null>;
}

export interface RankedOrdersOptions {
  ttlMs?: number;
  sessionsPerViewer?: number;
}
