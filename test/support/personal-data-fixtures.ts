import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../../events/envelope.js';
import type { EventType } from '../../events/registry.js';

// One valid event of each type with personal fields (events/personal-data/personal-fields.ts),
// every personal field present and holding text that contains `marker`, so a test can look for
// the marker wherever the event's personal text might have gone.

const at = '2025-03-01T12:00:00.000Z';

export const uploadedItem = () => ({
  mediaId: uuidv7(),
  type: 'image' as const,
  width: 640,
  height: 480,
  blurhash: 'LEHV6nWB2yk8',
  dominantColor: '#aabbcc',
  detectedType: 'image/jpeg',
  variants: [{ name: 'w640', key: `media/${uuidv7()}/w640.jpg`, width: 640, height: 480, contentType: 'image/jpeg', size: 1234 }],
});

/** The data of one event of `type` whose subject is `personId`, every personal field carrying `marker` (letters only, at most 12). */
export const personalDataOf = (type: EventType, personId: string, marker: string): Record<string, unknown> => {
  switch (type) {
    case 'UserRegistered':
      return { userId: personId, username: `user_${personId.replaceAll('-', '').slice(-12)}`, displayName: `Ann ${marker}`, registeredAt: at };
    case 'ProfileUpdated':
      return { userId: personId, displayName: `Ann ${marker}`, bio: `I love ${marker} and tea` };
    case 'PostCreated':
      return {
        postId: uuidv7(),
        authorId: personId,
        caption: `beach ${marker} #${marker} @bob`,
        hashtags: [marker],
        mentions: ['bob'],
        media: [{ url: `https://cdn.example.com/${marker}.jpg`, type: 'image' }, uploadedItem()],
        createdAt: at,
      };
    case 'CaptionEdited':
      return { postId: uuidv7(), authorId: personId, caption: `sunset ${marker} #${marker}`, hashtags: [marker], mentions: [], editedAt: at };
    case 'CommentAdded':
      return { commentId: uuidv7(), postId: uuidv7(), authorId: personId, postAuthorId: uuidv7(), parentCommentId: null, text: `nice ${marker} @bob`, mentions: ['bob'], createdAt: at };
    case 'StoryPosted':
      return { storyId: uuidv7(), authorId: personId, media: { url: `https://cdn.example.com/${marker}.mp4`, type: 'video' }, postedAt: at, expiresAt: '2025-03-02T12:00:00.000Z' };
    case 'CollectionCreated':
      return { collectionId: uuidv7(), ownerId: personId, name: `Trips ${marker}`, createdAt: at };
    case 'CollectionRenamed':
      return { collectionId: uuidv7(), ownerId: personId, name: `Food ${marker}` };
    case 'MediaUploadRequested':
      return {
        mediaId: uuidv7(),
        ownerId: personId,
        purpose: 'post',
        filename: `${marker}_passport.jpg`,
        declaredType: 'image/jpeg',
        declaredSize: 1000,
        originalKey: `uploads/${uuidv7()}`,
        requestedAt: at,
        uploadExpiresAt: at,
      };
    default:
      throw new Error(`no personal data fixture for ${type}`);
  }
};

export const personalEventOf = (type: EventType, personId: string, marker: string): NewEvent => ({
  eventId: uuidv7(),
  type,
  data: personalDataOf(type, personId, marker),
  metadata: { correlationId: uuidv7(), causationId: null, actorId: personId, occurredAt: at },
});
