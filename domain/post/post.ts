import type { MediaItem, PostMediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { conflict, forbidden, notFound, ruleBroken } from '../../kernel/errors.js';
import { parseCaption } from './caption.js';
import { locationOf, type PlaceInput } from '../location/location.js';
import { isTagged, taggedMedia, withoutTag, type TagRequest } from './tags.js';

// ---- Commands

/** The media count is within its limits already: the HTTP schema refuses any other (kernel/limits.ts). */
export interface CreatePost {
  type: 'CreatePost';
  postId: string;
  authorId: string;
  caption: string;
  media: MediaItem[];
  /** The place the post names, if any: deduplicated into a location (domain/location/location.ts). */
  location?: PlaceInput | undefined;
  /** The people tagged on each item (`tags[i]` on `media[i]`), resolved by the handler (domain/post/tags.ts). */
  tags?: readonly (readonly TagRequest[])[] | undefined;
  now: string;
}

export interface EditCaption {
  type: 'EditCaption';
  postId: string;
  actorId: string;
  caption: string;
  now: string;
}

export interface DeletePost {
  type: 'DeletePost';
  postId: string;
  actorId: string;
  now: string;
}

/**
 * Takes `userId` off every item of the post: asked by that person (DELETE /posts/{id}/tags/me) or
 * by the post's author (DELETE /posts/{id}/tags/{username}). Not tagged, or a deleted post: nothing to
 * do; for the person themself, no such post too (it tells nothing of the post).
 */
export interface RemoveTag {
  type: 'RemoveTag';
  postId: string;
  actorId: string;
  userId: string;
  now: string;
}

export type PostCommand = CreatePost | EditCaption | DeletePost | RemoveTag;

// ---- State

/** Stream post-{postId}. A deleted post keeps its data so that later commands can explain why they fail. */
export type PostState =
  | { status: 'none' }
  | {
      status: 'active' | 'deleted';
      postId: string;
      authorId: string;
      caption: string;
      hashtags: string[];
      mentions: string[];
      media: PostMediaItem[];
      createdAt: string;
    };

// The stream grows with caption edits: snapshotted (domain/decider.ts). Bump the key when PostState changes.
// v2: media items carry their tags, which TagRemoved changes.
const snapshot: SnapshotPolicy = { key: 'post.v2' };

// ---- Events

export type PostEvent = EventsOf<'PostCreated' | 'CaptionEdited' | 'PostDeleted' | 'TagRemoved'>;

// ---- Decide

export const decidePost = (command: PostCommand, state: PostState): PostEvent[] => {
  switch (command.type) {
    case 'CreatePost':
      return createPost(command, state);
    case 'EditCaption':
      return editCaption(command, state);
    case 'DeletePost':
      return deletePost(command, state);
    case 'RemoveTag':
      return removeTag(command, state);
    default:
      return unhandled(command);
  }
};

const postNotFound = (postId: string) => notFound('POST_NOT_FOUND', `No post ${postId}`);
const notAuthor = () => forbidden('NOT_AUTHOR', 'Only the author may change this post');

const createPost = (command: CreatePost, state: PostState): PostEvent[] => {
  if (state.status !== 'none') throw conflict('POST_EXISTS', `Post ${command.postId} already exists`);
  const { caption, hashtags, mentions } = parseCaption(command.caption);
  const { postId, authorId, now } = command;
  const media = taggedMedia(command.media, command.tags);
  const location = command.location && locationOf(command.location);
  return [{ type: 'PostCreated', data: { postId, authorId, caption, hashtags, mentions, media, createdAt: now, ...(location && { location }) } }];
};

const editCaption = (command: EditCaption, state: PostState): PostEvent[] => {
  if (state.status === 'none') throw postNotFound(command.postId);
  if (state.status === 'deleted') throw ruleBroken('POST_DELETED', `Post ${command.postId} was deleted`);
  if (command.actorId !== state.authorId) throw notAuthor();
  const { caption, hashtags, mentions } = parseCaption(command.caption);
  if (caption === state.caption) return [];
  const { postId, authorId } = state;
  return [{ type: 'CaptionEdited', data: { postId, authorId, caption, hashtags, mentions, editedAt: command.now } }];
};

const deletePost = (command: DeletePost, state: PostState): PostEvent[] => {
  if (state.status === 'none') throw postNotFound(command.postId);
  if (command.actorId !== state.authorId) throw notAuthor();
  // Deleting twice (a retried request) is the same wish, already granted.
  if (state.status === 'deleted') return [];
  const { postId, authorId } = state;
  return [{ type: 'PostDeleted', data: { postId, authorId, deletedAt: command.now } }];
};

const removeTag = (command: RemoveTag, state: PostState): PostEvent[] => {
  const self = command.actorId === command.userId;
  // Taking oneself off a post one is not tagged on is granted already, whatever the post: so an
  // unknown post answers as a post behind a block does, and neither tells that it exists (as an unlike).
  if (self && (state.status !== 'active' || !isTagged(state.media, command.userId))) return [];
  if (state.status === 'none') throw postNotFound(command.postId);
  // Someone else's tag: the author's to take off, no one else's.
  if (!self && command.actorId !== state.authorId) throw notAuthor();
  // A retried removal, a tag never there, or a post deleted since: the wish is granted already.
  if (state.status === 'deleted' || !isTagged(state.media, command.userId)) return [];
  const { postId, authorId } = state;
  return [{ type: 'TagRemoved', data: { postId, authorId, userId: command.userId, removedAt: command.now } }];
};

// ---- Transition

export const postTransition = (state: PostState, event: PostEvent): PostState | null => {
  switch (event.type) {
    case 'PostCreated': {
      if (state.status !== 'none') return null;
      const { postId, authorId, caption, hashtags, mentions, media, createdAt } = event.data;
      return { status: 'active', postId, authorId, caption, hashtags, mentions, media, createdAt };
    }
    case 'CaptionEdited': {
      if (state.status !== 'active') return null;
      const { caption, hashtags, mentions } = event.data;
      return { ...state, caption, hashtags, mentions };
    }
    case 'PostDeleted':
      return state.status === 'active' ? { ...state, status: 'deleted' } : null;
    case 'TagRemoved':
      return state.status === 'active' && isTagged(state.media, event.data.userId) ? { ...state, media: withoutTag(state.media, event.data.userId) } : null;
  }
};

export const { evolve: evolvePost, canApply: canApplyPostEvent } = fromTransition(postTransition);

const initialState = (): PostState => ({ status: 'none' });

export const postDecider: Decider<PostCommand, PostState, PostEvent> = { decide: decidePost, evolve: evolvePost, initialState, snapshot };
