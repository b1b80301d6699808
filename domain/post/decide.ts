import { conflict, forbidden, notFound, ruleBroken } from '../errors.js';
import { parseCaption } from './caption.js';
import { assertMediaCount } from './media.js';
import type { PostCommand, PostEvent, PostState } from './types.js';

const postNotFound = (postId: string) => notFound('POST_NOT_FOUND', `No post ${postId}`);
const notAuthor = () => forbidden('NOT_AUTHOR', 'Only the author may change this post');

export const decidePost = (command: PostCommand, state: PostState): PostEvent[] => {
  switch (command.type) {
    case 'CreatePost': {
      if (state.status !== 'none') throw conflict('POST_EXISTS', `Post ${command.postId} already exists`);
      const { caption, hashtags, mentions } = parseCaption(command.caption);
      assertMediaCount(command.media);
      const { postId, authorId, media, now } = command;
      return [{ type: 'PostCreated', data: { postId, authorId, caption, hashtags, mentions, media, createdAt: now } }];
    }
    case 'EditCaption': {
      if (state.status === 'none') throw postNotFound(command.postId);
      if (state.status === 'deleted') throw ruleBroken('POST_DELETED', `Post ${command.postId} was deleted`);
      if (command.actorId !== state.authorId) throw notAuthor();
      const { caption, hashtags, mentions } = parseCaption(command.caption);
      if (caption === state.caption) return [];
      const { postId, authorId } = state;
      return [{ type: 'CaptionEdited', data: { postId, authorId, caption, hashtags, mentions, editedAt: command.now } }];
    }
    case 'DeletePost': {
      if (state.status === 'none') throw postNotFound(command.postId);
      if (command.actorId !== state.authorId) throw notAuthor();
      // Deleting twice (a retried request) is the same wish, already granted.
      if (state.status === 'deleted') return [];
      const { postId, authorId } = state;
      return [{ type: 'PostDeleted', data: { postId, authorId, deletedAt: command.now } }];
    }
  }
};
