import type { MediaInput } from '../../domain/post/external-media.js';
import { storyDecider } from '../../domain/story/story.js';
import { storyFacts, type StoryFacts } from '../../domain/story/story-facts.js';
import { storyViewDecider } from '../../domain/story-view/story-view.js';
import { streams, type EventData, type Position, type RecordedEvent } from '../../events/index.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { createOnce, earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { loadAccess } from '../facts.js';
import { answerWithPosition, handleCommand } from '../handle-command.js';
import { loadState } from '../load-state.js';
import { withAttachedMedia } from '../posts/with-media.js';

export const postStory = async (
  deps: CommandDeps,
  { authorId, media }: { authorId: string; media: MediaInput },
  ctx: CommandContext,
): Promise<{ storyId: string; expiresAt: string; position: Position }> => {
  const storyId = entityIdFor(ctx, 'story');
  const stream = streams.story(storyId);
  // The answer from the story's first event, for a retry of a create that happened (commands/created-once.ts).
  const answerFrom = (creation: RecordedEvent) => ({ storyId, expiresAt: (creation.data as EventData<'StoryPosted'>).expiresAt, position: creation.position });
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return answerFrom(earlier);
  const target = { actorId: authorId, inputs: [media], purpose: 'story' as const, targetId: storyId, pathOf: () => 'media' };
  return withAttachedMedia(deps, target, ctx, ([item]) =>
    createOnce(
      deps.store,
      stream,
      ctx,
      async () => {
        const { position, state } = await handleCommand({
          store: deps.store,
          stream,
          decider: storyDecider,
          command: () => ({ type: 'PostStory', storyId, authorId, media: item!, ttlMs: deps.storyTtlMs }),
          ctx,
          newStream: true,
        });
        return { storyId, expiresAt: state.status === 'none' ? '' : state.expiresAt, position };
      },
      answerFrom,
    ),
  );
};

const loadStoryFacts = async (deps: CommandDeps, viewerId: string, storyId: string): Promise<StoryFacts> => {
  const story = await loadState(deps.store, streams.story(storyId), storyDecider);
  // Access matters only for a story that is there to be seen.
  const access = story.status === 'active' ? await loadAccess(deps.store, viewerId, story.authorId) : 'allowed';
  return storyFacts(story, access);
};

/** Records a view once per viewer, in a stream of its own (storyview-{storyId}-{viewerId}). */
export const viewStory = (deps: CommandDeps, { viewerId, storyId }: { viewerId: string; storyId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { storyId },
    {
      store: deps.store,
      stream: streams.storyView(storyId, viewerId),
      decider: storyViewDecider,
      command: async () => ({ type: 'ViewStory', storyId, viewerId, story: await loadStoryFacts(deps, viewerId, storyId) }),
      ctx,
    },
  );

export const deleteStory = (deps: CommandDeps, { actorId, storyId }: { actorId: string; storyId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { storyId },
    { store: deps.store, stream: streams.story(storyId), decider: storyDecider, command: () => ({ type: 'DeleteStory', storyId, actorId }), ctx },
  );
