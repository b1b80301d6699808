import { z } from 'zod';
import { COLLECTION_NAME_MAX_LENGTH } from '../kernel/limits.js';
import { id, textOfAtMost, timestamp } from './fields.js';

// collection-{collectionId}: one owner's named collection of saved posts. The owner rides on every
// event that the read model files by owner, so it needs no lookup. The name is the owner's own text,
// sealed under their key (personal-data/personal-fields.ts): erased, it reads as '' (which is why
// the contract bounds only its length; trimmed and not blank is the domain's rule).
const name = textOfAtMost(COLLECTION_NAME_MAX_LENGTH);

export const CollectionCreated = z.object({ collectionId: id, ownerId: id, name, createdAt: timestamp });
export const CollectionRenamed = z.object({ collectionId: id, ownerId: id, name });
export const CollectionDeleted = z.object({ collectionId: id, ownerId: id, deletedAt: timestamp });
export const PostAddedToCollection = z.object({ collectionId: id, ownerId: id, postId: id, addedAt: timestamp });
export const PostRemovedFromCollection = z.object({ collectionId: id, ownerId: id, postId: id });
