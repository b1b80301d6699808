import type pg from 'pg';
import type { ErasableAccountTokenStore } from '../commands/accounts/account-tokens.js';
import type { ErasableCredentialsStore } from '../commands/accounts/credentials-store.js';
import { eraseOutboxMail } from '../commands/accounts/mail/mailer-outbox-postgres.js';
import type { ErasableSessionStore } from '../commands/accounts/session-store.js';
import type { TwoFactorStore } from '../commands/accounts/two-factor-store.js';
import type { CommandDeps } from '../commands/deps.js';
import { onFollowStream } from '../commands/graph/follow.js';
import { unfollowHashtag } from '../commands/graph/hashtag-follow.js';
import { endMute } from '../commands/graph/mute.js';
import { handleCommand } from '../commands/handle-command.js';
import type { ErasableIdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import { deleteMedia } from '../commands/media/media.js';
import { deleteComment } from '../commands/posts/comments.js';
import { deletePost, removeTag } from '../commands/posts/posts.js';
import { unbookmark, unlike } from '../commands/posts/reactions.js';
import { deleteCollection } from '../commands/collections/collections.js';
import { deleteStory } from '../commands/stories/stories.js';
import { userDecider } from '../domain/user/user.js';
import { usernameDecider } from '../domain/username/username.js';
import { streams, type Position } from '../events/index.js';
import { KEY_CACHE_TTL_MS, type PersonalDataKeyStore } from '../events/personal-data/key-store.js';
import { generationSchema } from '../projections/runtime/generation-catalog.js';
import { FIRST_GENERATION } from '../projections/runtime/generations.js';
import type { PostgresParkingLot } from '../projections/runtime/parked-events.js';
import type { ProjectorHandle, ProjectorOptions, ProjectorStatus } from '../projections/runtime/runner.js';
import { waitForCheckpoint } from '../projections/runtime/wait-for-checkpoint.js';
import { createDueListReactor, createPostgresDueList } from '../workers/erasure/due-list.js';
import { startEraser, type ErasureStep } from '../workers/erasure/eraser.js';
import type { ErasureCommands } from '../workers/erasure/erasure-commands.js';
import { createPostgresInventory } from '../workers/erasure/inventory-postgres.js';
import { startReactor } from '../workers/runtime/reactor.js';
import type { LiveReadModels } from './live-read-models.js';

// The erasure worker of a worker process (roles `worker` and `all`; docs/architecture.md "The
// erasure worker"): the due-list reactor (checkpoint `reactor:erasure`) and the eraser, every
// ACCOUNT_ERASURE_INTERVAL. Here its parts are bound to the platform's: the command handlers, the
// read models (the inventory's tables in their live generation, the stories reader, the
// checkpoints it waits on) and the stores outside the log that the scrub empties.

/** The read models whose content the eraser reads: it waits until they have passed the deletion request. */
const READ_FROM = ['profiles', 'stories', 'media'] as const;
/** How long one account's wait for them may take before it is left to the next run. */
const CATCH_UP_WAIT_MS = 30_000;

/** The stores outside the log that hold something of an account, each with its own erase. */
export interface AccountStores {
  /** The API's pool (the mail outbox lives there). */
  pool: pg.Pool;
  credentials: ErasableCredentialsStore;
  twoFactor: TwoFactorStore;
  sessions: ErasableSessionStore;
  accountTokens: ErasableAccountTokenStore;
  idempotency: ErasableIdempotencyStore;
  parkingLot: PostgresParkingLot;
}

/**
 * Step 6 of the eraser: what lives outside the log. The credentials are read first (their email
 * names the outbox's mails) and go last, so that a run stopped half-way still finds the email.
 */
export const accountScrub =
  ({ pool, credentials, twoFactor, sessions, accountTokens, idempotency, parkingLot }: AccountStores) =>
  async (userId: string): Promise<void> => {
    const held = await credentials.findById(userId);
    if (held) await eraseOutboxMail(pool, held.email);
    await twoFactor.disable(userId);
    await sessions.erase(userId, new Date());
    await accountTokens.erase(userId);
    await idempotency.erase(userId);
    await parkingLot.eraseMentionsOf(userId);
    await credentials.erase(userId);
  };

/** The commands the eraser issues, bound to the platform's command dependencies. */
export const erasureCommands = (deps: CommandDeps): ErasureCommands => ({
  deletePost: (input, ctx) => deletePost(deps, input, ctx),
  deleteComment: (input, ctx) => deleteComment(deps, input, ctx),
  deleteStory: (input, ctx) => deleteStory(deps, input, ctx),
  unlike: (input, ctx) => unlike(deps, input, ctx),
  unbookmark: (input, ctx) => unbookmark(deps, input, ctx),
  deleteCollection: (input, ctx) => deleteCollection(deps, input, ctx),
  endFollow: ({ followerId, followeeId }, ctx) =>
    onFollowStream(deps, followerId, followeeId, () => ({ type: 'EndFollow', followerId, followeeId, reason: 'account-erased' }), ctx),
  endMute: (pair, ctx) => endMute(deps, pair, ctx),
  unfollowHashtag: (input, ctx) => unfollowHashtag(deps, input, ctx),
  removeTag: ({ postId, userId }, ctx) => removeTag(deps, { actorId: userId, postId, userId }, ctx),
  deleteMedia: (input, ctx) => deleteMedia(deps, input, ctx),
  eraseAccount: ({ userId }, ctx) =>
    handleCommand({ store: deps.store, stream: streams.user(userId), decider: userDecider, command: () => ({ type: 'EraseAccount', userId }), ctx }),
  releaseUsername: ({ username, userId }, ctx) =>
    handleCommand({ store: deps.store, stream: streams.username(username), decider: usernameDecider, command: () => ({ type: 'ReleaseUsername', username, userId }), ctx }),
});

/** What only tests change. */
export interface ErasureTestHooks {
  /** The wait after destroying a key (default KEY_CACHE_TTL_MS). */
  keyCacheWaitMs?: number;
  /** Called after each step of each account (a test throws from it, as a crash would stop the run there). */
  afterStep?: (step: ErasureStep, userId: string) => void | Promise<void>;
}

export interface ErasureWorkerOptions extends ErasureTestHooks {
  /** The workers' command dependencies (their store, on the workers' pool). */
  commands: CommandDeps;
  /** The workers' pool: the due list and the inventory's reads. */
  pool: pg.Pool;
  readModels: LiveReadModels;
  personalDataKeys: PersonalDataKeyStore;
  scrub: (userId: string) => Promise<void>;
  intervalMs: number;
  parking?: ProjectorOptions['parking'];
}

export interface ErasureWorker {
  statuses(): ProjectorStatus[];
  stop(): Promise<void>;
}

export const startErasureWorker = (options: ErasureWorkerOptions): ErasureWorker => {
  const { commands, pool, readModels } = options;
  const due = createPostgresDueList(pool);
  const reactor: ProjectorHandle = startReactor(commands.store, pool, createDueListReactor(due), {
    pollIntervalMs: 100,
    ...(options.parking ? { parking: options.parking } : {}),
  });
  let baseSchema: Promise<string> | undefined;
  // The schema of the read model's live generation (the pool's own for the first).
  const schemaOf = async (name: 'profiles' | 'media'): Promise<string | null> => {
    const generation = readModels.generations()[name] ?? FIRST_GENERATION;
    if (generation === FIRST_GENERATION) return null;
    baseSchema ??= pool.query<{ schema: string }>('select current_schema() as schema').then(({ rows }) => rows[0]!.schema);
    return generationSchema(await baseSchema, name, generation);
  };
  const readModelsPast = async (position: Position): Promise<boolean> => {
    const projections = readModels.projections().filter((projection) => (READ_FROM as readonly string[]).includes(projection.name));
    const reached = await Promise.all(projections.map((projection) => waitForCheckpoint(projection, [projection.name], position, CATCH_UP_WAIT_MS)));
    return reached.every(Boolean);
  };
  const eraser = startEraser({
    store: commands.store,
    due,
    inventory: createPostgresInventory(pool, schemaOf),
    commands: erasureCommands(commands),
    storage: commands.storage,
    personalDataKeys: options.personalDataKeys,
    liveStories: async (userId, now) => ((await readModels.readers.stories.activeStories([userId], now)).get(userId) ?? []).map((story) => story.id),
    readModelsPast,
    scrub: options.scrub,
    keyCacheWaitMs: options.keyCacheWaitMs ?? KEY_CACHE_TTL_MS,
    ...(options.afterStep ? { afterStep: options.afterStep } : {}),
    intervalMs: options.intervalMs,
    onError: (error, userId) => console.error(`[erasure] ${userId ? `account ${userId}` : 'run'} failed; retried on the next run`, error),
  });
  return {
    statuses: () => [reactor.status()],
    async stop() {
      await eraser.stop();
      await reactor.stop();
    },
  };
};
