import type { EventStore, RecordedEvent } from '../events/index.js';
import type { CommandContext } from './command-context.js';

// Creating commands (a post, comment, story, upload) and retries: docs/architecture.md
// "Idempotency". A keyed command names its new stream by (caller, kind, key) (entityIdFor in
// command-context.ts), so a retry finds what an earlier run of it created, whatever happened to
// that run's answer: the reply lost after the append committed, the key's completion failing, the
// process dying in between (its key then taken over). The retry is answered from the stream's
// first event, in the answer's usual shape, and creates nothing.

/** Did this command append `event`? The same caller, and the same key (or, unkeyed, the same request). */
const isOurs = (event: RecordedEvent, ctx: CommandContext): boolean =>
  event.metadata.actorId === ctx.actorId &&
  (ctx.idempotencyKey ? event.metadata.idempotencyKey === ctx.idempotencyKey : event.metadata.correlationId === ctx.correlationId);

/** The event that began `stream`, when this command appended it. */
const ourCreation = async (store: EventStore, stream: string, ctx: CommandContext): Promise<RecordedEvent | null> => {
  const [first] = await store.readStream(stream, 0);
  return first && isOurs(first, ctx) ? first : null;
};

/**
 * The event that began `stream` when an earlier run of this keyed command created it (null for an
 * unkeyed command: its id is fresh, so there is nothing to find). Asked before any other work, so
 * that a retry attaches, signs and appends nothing.
 */
export const earlierCreation = (store: EventStore, stream: string, ctx: CommandContext): Promise<RecordedEvent | null> =>
  ctx.idempotencyKey && ctx.actorId ? ourCreation(store, stream, ctx) : Promise.resolve(null);

/**
 * Runs `create` (which appends the first event of `stream`). When it fails but the stream now
 * begins with this command's event (the append committed and its reply was lost, or an earlier run
 * of the same keyed command got there first), the creation happened: answered from that event
 * (`answer`) rather than as a failure, so that the caller neither undoes its side steps (media
 * attached to the new post) nor tells the client to retry what exists. Otherwise the failure stands.
 */
export const createOnce = async <T>(
  store: EventStore,
  stream: string,
  ctx: CommandContext,
  create: () => Promise<T>,
  answer: (creation: RecordedEvent) => T | Promise<T>,
): Promise<T> => {
  try {
    return await create();
  } catch (error) {
    const creation = await ourCreation(store, stream, ctx).catch(() => null);
    if (creation) return answer(creation);
    throw error;
  }
};
