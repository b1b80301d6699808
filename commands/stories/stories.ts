import type { MediaInput } from '../../domain/post/external-media.js';
import { storyDecider } from '../../domain/story/story.js';
import { storyFacts, type StoryFacts } from '../../domain/story/story-facts.js';
import { storyViewDecider } from '../../domain/story-view/story-view.js';
import { streams, type EventData, type Position, type RecordedEvent } from '../../events/index.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { loadAccess, loadShareablePost } from '../facts.js';
import { answerWithPosition, type BuildCommand, createStream, handleCommand } from '../handle-command.js';
import { loadState } from '../load-state.js';
import { assertRegisteredActor } from '../registered-actor.js';
import { accessAfterAppend } from '../recheck-access.js';
import { withAttachedMedia } from '../posts/with-media.js';

type NewStory = { storyId: string; expiresAt: string; position: Position };
type StoryCommandOf = BuildCommand<Parameters<typeof storyDecider.decide>[0]>;

/**
 * A new story stream, made once per Idempotency-Key (commands/created-once.ts): a retry of a
 * create that happened answers from the story's first event. `make` gets the new story's id and
 * the append, to call with the decider's command (postStory wraps it in attaching its upload).
 */
const createStory = async (
  deps: CommandDeps,
  actorId: string,
  ctx: CommandContext,
  make: (storyId: string, append: (command: StoryCommandOf) => Promise<NewStory>) => Promise<NewStory>,
): Promise<NewStory> => {
  const storyId = entityIdFor(ctx, 'story');
  const stream = streams.story(storyId);
  const answerFrom = (creation: RecordedEvent) => ({ storyId, expiresAt: (creation.data as EventData<'StoryPosted'>).expiresAt, position: creation.position });
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return answerFrom(earlier);
  await assertRegisteredActor(deps.store, actorId);
  const append = (command: StoryCommandOf) =>
    createStream(
      { store: deps.store, stream, decider: storyDecider, command, ctx },
      ({ position, state }) => ({ storyId, expiresAt: state.status === 'none' ? '' : state.expiresAt, position }),
      answerFrom,
    );
  return make(storyId, append);
};

export const postStory = (deps: CommandDeps, { authorId, media }: { authorId: string; media: MediaInput }, ctx: CommandContext): Promise<NewStory> =>
  createStory(deps, authorId, ctx, (storyId, append) => {
    const target = { actorId: authorId, inputs: [media], purpose: 'story' as const, targetId: storyId, pathOf: () => 'media' };
    return withAttachedMedia(deps, target, ctx, ([item]) => append(() => ({ type: 'PostStory', storyId, authorId, media: item!, ttlMs: deps.storyTtlMs })));
  });

/**
 * Shares a post to a story of the sharer's (domain/story/shared-post.ts decides who may), a new
 * story stream as postStory makes, so that an Idempotency-Key retry answers the first story. It
 * attaches no media: the story shows the post's own first item, which stays the post's (the
 * janitor leaves it to the post). No re-check after the append: the read side shows a shared
 * story only to those who may see the post at that moment (read-api/routes/story-routes.ts).
 */
export const sharePost = (deps: CommandDeps, { sharerId, postId }: { sharerId: string; postId: string }, ctx: CommandContext): Promise<NewStory> =>
  createStory(deps, sharerId, ctx, (storyId, append) =>
    append(async () => ({ type: 'SharePost', storyId, sharerId, post: await loadShareablePost(deps.store, sharerId, postId), ttlMs: deps.storyTtlMs })),
  );

const loadStoryFacts = async (deps: CommandDeps, viewerId: string, storyId: string): Promise<StoryFacts> => {
  const story = await loadState(deps.store, streams.story(storyId), storyDecider);
  // Access matters only for a story that is there to be seen.
  const access = story.status === 'active' ? await loadAccess(deps.store, viewerId, story.authorId) : 'allowed';
  return storyFacts(story, access);
};

/**
 * Records a view once per viewer, in a stream of its own (storyview-{storyId}-{viewerId}), then
 * re-checks the access it was decided on (commands/recheck-access.ts): a block or a switch to
 * private that landed meanwhile answers as a fresh attempt would. A view has no event that
 * withdraws it, so the recorded view stays; only the story's author ever sees a viewer.
 */
export const viewStory = async (deps: CommandDeps, { viewerId, storyId }: { viewerId: string; storyId: string }, ctx: CommandContext) => {
  await assertRegisteredActor(deps.store, viewerId);
  let decidedOn: StoryFacts | null = null;
  const { position, appended } = await handleCommand({
    store: deps.store,
    stream: streams.storyView(storyId, viewerId),
    decider: storyViewDecider,
    command: async () => ({ type: 'ViewStory', storyId, viewerId, story: (decidedOn = await loadStoryFacts(deps, viewerId, storyId)) }),
    ctx,
  });
  const facts = decidedOn as StoryFacts | null;
  if (appended > 0 && facts && 'authorId' in facts) {
    const access = await accessAfterAppend(deps, { actorId: viewerId, ownerId: facts.authorId }, async () => undefined);
    // The decider's own refusal for the access as it is now (it throws unless allowed).
    if (access !== 'allowed') storyViewDecider.decide({ type: 'ViewStory', storyId, viewerId, story: { ...facts, access }, now: ctx.now }, storyViewDecider.initialState());
  }
  return { storyId, position };
};

export const deleteStory = (deps: CommandDeps, { actorId, storyId }: { actorId: string; storyId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { storyId },
    { store: deps.store, stream: streams.story(storyId), decider: storyDecider, command: () => ({ type: 'DeleteStory', storyId, actorId }), ctx },
  );
