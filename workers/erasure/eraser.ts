import { setTimeout as sleep } from 'node:timers/promises';
import { newId, type CommandContext } from '../../commands/command-context.js';
import { loadState } from '../../commands/load-state.js';
import { runBatchesPeriodically, type Periodic } from '../../commands/periodic.js';
import { userDecider } from '../../domain/user/user.js';
import { streams, type EventData, type EventStore } from '../../events/index.js';
import type { PersonalDataKeyStore } from '../../events/personal-data/key-store.js';
import { AppError } from '../../kernel/errors.js';
import type { MediaStorage } from '../../media/storage/media-storage.js';
import { forEachBounded } from '../../projections/feed/bounded.js';
import { readMediaFacts } from '../media/media-stream.js';
import type { DueAccount, DueList } from './due-list.js';
import type { ErasureCommands } from './erasure-commands.js';
import type { ErasureInventory, FollowPair, MutePair } from './inventory.js';

// The eraser (docs/architecture.md "The erasure worker"): every ACCOUNT_ERASURE_INTERVAL it takes
// the accounts whose grace period is over from the due list, one at a time, and erases each:
//   1. re-reads the user stream: not deleting (restored: its row goes), or the grace not over: skipped;
//   2. waits until the profiles, stories and media read models have passed the deletion request
//      (a deleting account creates nothing, so nothing of theirs can be missing from them after it);
//   3. destroys the person's personal-data key, then waits out the key cache (KEY_CACHE_TTL_MS),
//      so that no process still opens their text when the read models are scrubbed;
//   4. ends everything they made, through the ordinary commands, as them: their posts, comments and
//      live stories deleted, likes and bookmarks undone, their user tags taken off, collections deleted, every follow and request either way ended
//      (EndFollow, reason 'account-erased'), every mute either way ended (Unmute), every hashtag follow ended (UnfollowHashtag), their media
//      deleted with its objects;
//   5. appends EraseAccount (AccountErased) on the user stream, then releases the username;
//   6. scrubs what lives outside the log (credentials last, so that the email stays known until
//      everything keyed by it has gone);
//   7. marks the row done.
// Every step is idempotent (ending what has ended appends nothing; destroying an absent key and
// deleting absent rows or objects are no-ops), and nothing is kept in memory between runs: a crash
// anywhere is resumed by the next run, from the first step. An account found erased already (a
// crash after step 5) resumes at the username.

export type ErasureStep = 'caught-up' | 'key-destroyed' | 'cascaded' | 'erased' | 'scrubbed';

export interface EraserDeps {
  store: EventStore;
  due: DueList;
  inventory: ErasureInventory;
  commands: ErasureCommands;
  storage: Pick<MediaStorage, 'delete'>;
  personalDataKeys: Pick<PersonalDataKeyStore, 'destroy'>;
  /** The ids of the person's live stories (the stories read model). */
  liveStories(userId: string, now: string): Promise<string[]>;
  /** Whether the profiles, stories and media read models have applied everything up to `position` (a bounded wait). */
  readModelsPast(position: DueAccount['requestedPosition']): Promise<boolean>;
  /** Deletes what the account left outside the log (credentials, sessions, tokens, ...): idempotent. */
  scrub(userId: string): Promise<void>;
  /** How long to wait after destroying the key (KEY_CACHE_TTL_MS; tests a few ms). */
  keyCacheWaitMs: number;
  /** Commands in flight at once (default 8). */
  concurrency?: number;
  /** Inventory rows per page (default 500). */
  pageSize?: number;
  /** Called after each step (tests throw from it to stop a run there, as a crash would). */
  afterStep?: (step: ErasureStep, userId: string) => void | Promise<void>;
  /** One line per erased account (default console.log); no personal data in it. */
  log?: (line: string) => void;
}

export type AccountOutcome = 'erased' | 'restored' | 'not-due' | 'behind';

export interface ErasureRun {
  checked: number;
  erased: string[];
  /** Left for a later run: read models behind, or the grace not over on the stream. */
  skipped: string[];
  failed: Array<{ userId: string; error: unknown }>;
}

/** The refusals that mean "already gone": the entity is not there (any more), so there is nothing to end. */
const GONE = new Set(['POST_NOT_FOUND', 'COMMENT_NOT_FOUND', 'STORY_NOT_FOUND', 'MEDIA_NOT_FOUND']);
const unlessGone = async (work: Promise<unknown>): Promise<void> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError && GONE.has(error.code)) return;
    throw error;
  }
};

/** The username the account registered with (not sealed: it names the reservation stream). */
const registeredUsername = async (store: EventStore, userId: string): Promise<string | null> => {
  const registered = (await store.readStream(streams.user(userId))).find((event) => event.type === 'UserRegistered');
  return registered ? (registered.data as EventData<'UserRegistered'>).username : null;
};

export const eraseAccount = async (deps: EraserDeps, account: DueAccount, now: Date): Promise<AccountOutcome> => {
  const { userId } = account;
  const at = now.toISOString();
  const asPerson: CommandContext = { actorId: userId, correlationId: newId(), causationId: null, now: at };
  const asSystem: CommandContext = { ...asPerson, actorId: null };
  const step = async (name: ErasureStep) => deps.afterStep?.(name, userId);

  // 1. The stream decides, not the due list (which may lag a restore).
  const user = await loadState(deps.store, streams.user(userId), userDecider);
  if (user.status === 'active' || user.status === 'none') {
    await deps.due.drop(userId);
    return 'restored';
  }
  if (user.status === 'deleting') {
    if (Date.parse(at) < Date.parse(user.eraseAfter)) return 'not-due';
    // 2.
    if (!(await deps.readModelsPast(account.requestedPosition))) return 'behind';
    await step('caught-up');
    // 3.
    await deps.personalDataKeys.destroy(userId);
    await sleep(deps.keyCacheWaitMs);
    await step('key-destroyed');
    // 4.
    await cascade(deps, userId, asPerson);
    await step('cascaded');
    // 5. Refused (ACCOUNT_NOT_DELETING) only if restored meanwhile, which the grace being over forbids.
    await deps.commands.eraseAccount({ userId }, asSystem);
  }
  const username = await registeredUsername(deps.store, userId);
  if (username !== null) await deps.commands.releaseUsername({ username, userId }, asSystem);
  await step('erased');
  // 6.
  await deps.scrub(userId);
  await step('scrubbed');
  // 7.
  await deps.due.done(userId);
  (deps.log ?? console.log)(`[erasure] account ${userId} erased`);
  return 'erased';
};

/** Step 4: everything the person made, ended through the ordinary commands, a page at a time. */
const cascade = async (deps: EraserDeps, userId: string, ctx: CommandContext): Promise<void> => {
  const concurrency = deps.concurrency ?? 8;
  const pageSize = deps.pageSize ?? 500;
  const { inventory, commands } = deps;
  const eachPage = async <T>(page: (after: T | null) => Promise<T[]>, work: (item: T) => Promise<unknown>) => {
    for (let after: T | null = null; ; ) {
      const items = await page(after);
      await forEachBounded(items, concurrency, (item) => unlessGone(work(item)));
      if (items.length < pageSize) return;
      after = items.at(-1)!;
    }
  };
  await eachPage<string>((after) => inventory.posts(userId, after, pageSize), (postId) => commands.deletePost({ actorId: userId, postId }, ctx));
  await eachPage<string>((after) => inventory.comments(userId, after, pageSize), (commentId) => commands.deleteComment({ actorId: userId, commentId }, ctx));
  await forEachBounded(await deps.liveStories(userId, ctx.now), concurrency, (storyId) => unlessGone(commands.deleteStory({ actorId: userId, storyId }, ctx)));
  await eachPage<string>((after) => inventory.likedPosts(userId, after, pageSize), (postId) => commands.unlike({ userId, postId }, ctx));
  await eachPage<string>((after) => inventory.bookmarkedPosts(userId, after, pageSize), (postId) => commands.unbookmark({ userId, postId }, ctx));
  await eachPage<string>((after) => inventory.taggedPosts(userId, after, pageSize), (postId) => commands.removeTag({ postId, userId }, ctx));
  await eachPage<string>((after) => inventory.collections(userId, after, pageSize), (collectionId) => commands.deleteCollection({ actorId: userId, collectionId }, ctx));
  await eachPage<FollowPair>((after) => inventory.follows(userId, after, pageSize), (pair) => commands.endFollow(pair, ctx));
  await eachPage<MutePair>((after) => inventory.mutes(userId, after, pageSize), (pair) => commands.endMute(pair, ctx));
  await eachPage<string>((after) => inventory.followedHashtags(userId, after, pageSize), (tag) => commands.unfollowHashtag({ userId, tag }, ctx));
  await eachPage<string>((after) => inventory.media(userId, after, pageSize), (mediaId) => deleteMediaOf(deps, mediaId, ctx));
};

/**
 * Attached media (an avatar, a post's or story's) is deleted through the media aggregate and its
 * objects removed, as the janitor does. Media never attached (an upload not used, still processing)
 * cannot be deleted by the aggregate; its objects are removed here and the sweeper expires it later.
 */
const deleteMediaOf = async (deps: EraserDeps, mediaId: string, ctx: CommandContext): Promise<void> => {
  const keys = await deps.commands.deleteMedia({ mediaId }, ctx);
  if (keys.length > 0) return deps.storage.delete(keys);
  const facts = readMediaFacts(await deps.store.readStream(streams.media(mediaId)));
  if (!facts.ended && facts.keys.length > 0) await deps.storage.delete(facts.keys);
};

export const DEFAULT_ERASURE_BATCH = 20;

/** One run: the accounts due at `now`, one at a time; a failure is reported and retried on the next run. */
export const eraseDueAccounts = async (deps: EraserDeps, now: Date, limit = DEFAULT_ERASURE_BATCH): Promise<ErasureRun> => {
  const due = await deps.due.due(now.toISOString(), limit);
  const run: ErasureRun = { checked: due.length, erased: [], skipped: [], failed: [] };
  for (const account of due) {
    try {
      const outcome = await eraseAccount(deps, account, now);
      if (outcome === 'erased') run.erased.push(account.userId);
      else if (outcome !== 'restored') run.skipped.push(account.userId);
    } catch (error) {
      run.failed.push({ userId: account.userId, error });
    }
  }
  return run;
};

export interface EraserOptions extends EraserDeps {
  intervalMs: number;
  clock?: () => Date;
  onError: (error: unknown, userId?: string) => void;
  onRun?: (run: ErasureRun) => void;
}

/** Runs eraseDueAccounts every `intervalMs`, one run at a time. */
export const startEraser = (options: EraserOptions): Periodic => {
  return runBatchesPeriodically(options, (now) => eraseDueAccounts(options, now), (failure) => failure.userId);
};
