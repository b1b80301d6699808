import type { FastifyReply } from 'fastify';

// Read-your-writes (docs/architecture.md "Projections"): a command answers with the global position of its last event; a
// query that passes it back as ?minPosition= waits, bounded, until the projections it reads have
// applied that position. If they have not by then, it answers anyway, with a header naming the
// projections that are behind, so that the client knows the data is stale.
export const STALE_HEADER = 'x-stale-projections';

export interface Freshness {
  /** Resolves with the projections (of those named) still behind `position` after waiting up to the bound. */
  behind(projections: readonly string[], position: string): Promise<string[]>;
}

export const awaitFreshness = async (
  freshness: Freshness,
  reply: FastifyReply,
  projections: readonly string[],
  minPosition: string | undefined,
): Promise<void> => {
  if (!minPosition) return;
  const behind = await freshness.behind(projections, minPosition);
  if (behind.length > 0) reply.header(STALE_HEADER, behind.join(','));
};
