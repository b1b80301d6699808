import type { EventsOf } from '../../events/registry.js';
import { conflict, invalid, notFound, ruleBroken } from '../../kernel/errors.js';
import { codePointLength, COLLECTION_NAME_MAX_LENGTH } from '../../kernel/limits.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { assertPostUsable, type PostFacts } from '../post/post-facts.js';

// A named collection of saved posts (docs/rules.md "Collections"). Private to its owner: anyone
// else is told it does not exist, so a stranger cannot probe ids. The posts stay bookmarked on
// their own bookmark- streams (commands/collections/collections.ts saves a post it adds), so the
// bookmarks list remains the "all saved" view.

// ---- Commands

export interface CreateCollection {
  type: 'CreateCollection';
  collectionId: string;
  ownerId: string;
  name: string;
  /** The owner's live collections (the profiles read model's count) and the cap (kernel/limits.ts COLLECTIONS_MAX). */
  owned: { count: number; max: number };
  now: string;
}

export interface RenameCollection {
  type: 'RenameCollection';
  collectionId: string;
  actorId: string;
  name: string;
}

export interface DeleteCollection {
  type: 'DeleteCollection';
  collectionId: string;
  actorId: string;
  now: string;
}

export interface AddToCollection {
  type: 'AddToCollection';
  collectionId: string;
  actorId: string;
  postId: string;
  post: PostFacts;
  /** Posts a collection holds (kernel/limits.ts COLLECTION_POSTS_MAX; lower only in tests). */
  postsMax: number;
  now: string;
}

export interface RemoveFromCollection {
  type: 'RemoveFromCollection';
  collectionId: string;
  actorId: string;
  postId: string;
}

export type CollectionCommand = CreateCollection | RenameCollection | DeleteCollection | AddToCollection | RemoveFromCollection;

// ---- State

export type CollectionState =
  | { status: 'none' }
  | {
      status: 'active' | 'deleted';
      collectionId: string;
      ownerId: string;
      name: string;
      /** The posts in it, oldest added first (at most the cap, so the state stays bounded). */
      posts: string[];
    };

// The stream grows with every add and remove: snapshotted (domain/decider.ts). Bump the key when CollectionState changes.
const snapshot: SnapshotPolicy = { key: 'collection.v1' };

// ---- Events

export type CollectionEvent = EventsOf<'CollectionCreated' | 'CollectionRenamed' | 'CollectionDeleted' | 'PostAddedToCollection' | 'PostRemovedFromCollection'>;

// ---- Rules

/** A collection's name as kept: trimmed, 1 to COLLECTION_NAME_MAX_LENGTH code points. */
export const collectionName = (name: string): string => {
  const trimmed = name.trim();
  const length = codePointLength(trimmed);
  if (length === 0 || length > COLLECTION_NAME_MAX_LENGTH) {
    throw invalid('INVALID_COLLECTION_NAME', `A collection name is 1 to ${COLLECTION_NAME_MAX_LENGTH} characters, not blank`, [
      { path: 'name', message: length === 0 ? 'blank' : `over ${COLLECTION_NAME_MAX_LENGTH} characters` },
    ]);
  }
  return trimmed;
};

const collectionNotFound = (collectionId: string) => notFound('COLLECTION_NOT_FOUND', `No collection ${collectionId}`);

type Live = Extract<CollectionState, { status: 'active' | 'deleted' }>;

/** The collection, when the actor owns it and it is live; otherwise "no such collection", whoever asks. */
const ownedLive = (state: CollectionState, actorId: string, collectionId: string): Live => {
  if (state.status !== 'active' || state.ownerId !== actorId) throw collectionNotFound(collectionId);
  return state;
};

// ---- Decide

export const decideCollection = (command: CollectionCommand, state: CollectionState): CollectionEvent[] => {
  switch (command.type) {
    case 'CreateCollection':
      return create(command, state);
    case 'RenameCollection':
      return rename(command, state);
    case 'DeleteCollection':
      return remove(command, state);
    case 'AddToCollection':
      return addPost(command, state);
    case 'RemoveFromCollection':
      return removePost(command, state);
    default:
      return unhandled(command);
  }
};

const create = ({ collectionId, ownerId, name, owned, now }: CreateCollection, state: CollectionState): CollectionEvent[] => {
  if (state.status !== 'none') throw conflict('COLLECTION_EXISTS', `Collection ${collectionId} already exists`);
  const kept = collectionName(name);
  if (owned.count >= owned.max) throw ruleBroken('COLLECTIONS_LIMIT_REACHED', `You keep ${owned.max} collections already`);
  return [{ type: 'CollectionCreated', data: { collectionId, ownerId, name: kept, createdAt: now } }];
};

const rename = ({ collectionId, actorId, name }: RenameCollection, state: CollectionState): CollectionEvent[] => {
  const collection = ownedLive(state, actorId, collectionId);
  const kept = collectionName(name);
  return kept === collection.name ? [] : [{ type: 'CollectionRenamed', data: { collectionId, ownerId: collection.ownerId, name: kept } }];
};

// Deleting again changes nothing (a retry whose first answer was lost); a stranger still learns nothing.
const remove = ({ collectionId, actorId, now }: DeleteCollection, state: CollectionState): CollectionEvent[] => {
  if (state.status === 'deleted' && state.ownerId === actorId) return [];
  const collection = ownedLive(state, actorId, collectionId);
  return [{ type: 'CollectionDeleted', data: { collectionId, ownerId: collection.ownerId, deletedAt: now } }];
};

// The collection is checked before the post, so a stranger learns nothing about the collection from
// the post's answer; the post is checked before "already in", as bookmarking checks it every time.
const addPost = ({ collectionId, actorId, postId, post, postsMax, now }: AddToCollection, state: CollectionState): CollectionEvent[] => {
  const collection = ownedLive(state, actorId, collectionId);
  assertPostUsable(post);
  if (collection.posts.includes(postId)) return [];
  if (collection.posts.length >= postsMax) throw ruleBroken('COLLECTION_FULL', `A collection holds at most ${postsMax} posts`);
  return [{ type: 'PostAddedToCollection', data: { collectionId, ownerId: collection.ownerId, postId, addedAt: now } }];
};

// Allowed whatever became of the post: removing only cleans up.
const removePost = ({ collectionId, actorId, postId }: RemoveFromCollection, state: CollectionState): CollectionEvent[] => {
  const collection = ownedLive(state, actorId, collectionId);
  return collection.posts.includes(postId) ? [{ type: 'PostRemovedFromCollection', data: { collectionId, ownerId: collection.ownerId, postId } }] : [];
};

// ---- Transition

export const collectionTransition = (state: CollectionState, event: CollectionEvent): CollectionState | null => {
  if (event.type === 'CollectionCreated') {
    if (state.status !== 'none') return null;
    const { collectionId, ownerId, name } = event.data;
    return { status: 'active', collectionId, ownerId, name, posts: [] };
  }
  if (state.status !== 'active') return null;
  switch (event.type) {
    case 'CollectionRenamed':
      return state.name === event.data.name ? null : { ...state, name: event.data.name };
    case 'CollectionDeleted':
      return { ...state, status: 'deleted' };
    case 'PostAddedToCollection':
      return state.posts.includes(event.data.postId) ? null : { ...state, posts: [...state.posts, event.data.postId] };
    case 'PostRemovedFromCollection':
      return state.posts.includes(event.data.postId) ? { ...state, posts: state.posts.filter((id) => id !== event.data.postId) } : null;
  }
};

export const { evolve: evolveCollection, canApply: canApplyCollectionEvent } = fromTransition(collectionTransition);

const initialState = (): CollectionState => ({ status: 'none' });

export const collectionDecider: Decider<CollectionCommand, CollectionState, CollectionEvent> = {
  decide: decideCollection,
  evolve: evolveCollection,
  initialState,
  snapshot,
};
