import { newId, type CommandContext } from '../../commands/command-context.js';
import { isUploadedMedia, type MediaItem } from '../../events/fields.js';
import { streams, type EventStore, type RecordedEvent } from '../../events/index.js';
import { AppError } from '../../kernel/errors.js';
import type { MediaStorage } from '../../media/storage/media-storage.js';
import type { Reactor } from '../runtime/reactor.js';
import type { MediaWorkerCommands } from './media-commands.js';
import { readMediaFacts } from './media-stream.js';

// The janitor (docs/architecture.md "Media"): when what media was attached to goes away, the
// media goes too, objects and all.
//   PostDeleted, StoryDeleted, StoryExpired: the uploaded media items of that post or story (read
//     from its own stream: PostCreated / StoryPosted) are deleted (MediaDeleted) and their objects
//     removed; a story that shares a post shows the post's media and owns none;
//   AvatarChanged: the avatar it replaces (the one before it on the user's stream), likewise;
//   MediaDeleted, MediaExpired: the objects of that media (its original and every variant
//     recorded on its stream) are removed, whoever appended the event (this janitor, the sweeper,
//     or a crash between the event and the objects' deletion).
// Every step is idempotent: deleting a media twice appends nothing the second time, and deleting
// objects that are gone is no error. So the reactor may react to an event twice (at-least-once).

export interface JanitorDeps {
  store: EventStore;
  storage: MediaStorage;
  commands: Pick<MediaWorkerCommands, 'deleteMedia'>;
  clock?: () => Date;
}

export const JANITOR_REACTOR = 'media-janitor';

const uploadedIds = (items: readonly MediaItem[]) => items.filter(isUploadedMedia).map((item) => item.mediaId);

/** The uploaded media ids a post or story carried when it was made. */
export const attachedMediaIds = (events: readonly RecordedEvent[]): string[] => {
  const ids: string[] = [];
  for (const event of events) {
    if (event.type === 'PostCreated') ids.push(...uploadedIds((event.data as { media: MediaItem[] }).media));
    // A shared story shows the post's media, which stays the post's: its end deletes nothing.
    const story = event.data as { media: MediaItem; sharedPost?: unknown };
    if (event.type === 'StoryPosted' && story.sharedPost === undefined) ids.push(...uploadedIds([story.media]));
  }
  return [...new Set(ids)];
};

/** The avatar media an AvatarChanged replaced: the last avatar set before it on the user's stream. */
export const replacedAvatarId = (userEvents: readonly RecordedEvent[], change: RecordedEvent): string | null => {
  let previous: string | null = null;
  for (const event of userEvents) {
    if (event.streamRevision >= change.streamRevision) break;
    if (event.type === 'AvatarChanged') previous = (event.data as { avatar: { mediaId: string } | null }).avatar?.mediaId ?? null;
  }
  const current = (change.data as { avatar: { mediaId: string } | null }).avatar?.mediaId ?? null;
  return previous !== null && previous !== current ? previous : null;
};

/** The aggregate said no (a client error other than a lost race): final, not worth a retry. */
export const isRefusal = (error: unknown) => error instanceof AppError && error.status < 500 && error.code !== 'CONCURRENCY_CONFLICT';

export const createJanitor = (deps: JanitorDeps): Reactor => {
  const ctx = (event: RecordedEvent): CommandContext => ({
    actorId: null,
    correlationId: event.metadata.correlationId ?? newId(),
    causationId: event.eventId,
    now: (deps.clock?.() ?? new Date()).toISOString(),
  });
  const deleteOne = async (mediaId: string, event: RecordedEvent) => {
    let keys: readonly string[];
    try {
      keys = await deps.commands.deleteMedia({ mediaId }, ctx(event));
    } catch (error) {
      // The media aggregate refuses (not attached, ended already): nothing of ours to delete.
      if (isRefusal(error)) return;
      throw error;
    }
    if (keys.length > 0) await deps.storage.delete(keys);
  };
  const deleteObjectsOf = async (mediaId: string) => {
    const facts = readMediaFacts(await deps.store.readStream(streams.media(mediaId)));
    if (facts.keys.length > 0) await deps.storage.delete(facts.keys);
  };

  return {
    name: JANITOR_REACTOR,
    eventTypes: ['PostDeleted', 'StoryDeleted', 'StoryExpired', 'AvatarChanged', 'MediaDeleted', 'MediaExpired'],
    async react(event) {
      const data = event.data as Record<string, string>;
      switch (event.type) {
        case 'PostDeleted':
          for (const mediaId of attachedMediaIds(await deps.store.readStream(streams.post(data.postId!)))) await deleteOne(mediaId, event);
          return;
        case 'StoryDeleted':
        case 'StoryExpired':
          for (const mediaId of attachedMediaIds(await deps.store.readStream(streams.story(data.storyId!)))) await deleteOne(mediaId, event);
          return;
        case 'AvatarChanged': {
          const replaced = replacedAvatarId(await deps.store.readStream(streams.user(data.userId!)), event);
          if (replaced) await deleteOne(replaced, event);
          return;
        }
        case 'MediaDeleted':
        case 'MediaExpired':
          await deleteObjectsOf(data.mediaId!);
          return;
        default:
          return;
      }
    },
  };
};
