import { assertAccess, type Access } from '../access.js';
import { notFound, ruleBroken } from '../../kernel/errors.js';
import type { PostState } from './post.js';

/** What a handler learned about a post (and the actor's access to its author) before deciding on a like, comment or bookmark. */
export type PostFacts =
  | { status: 'missing' }
  | { status: 'deleted'; authorId: string }
  | { status: 'active'; authorId: string; access: Access };

export const postFacts = (state: PostState, access: Access): PostFacts => {
  switch (state.status) {
    case 'none':
      return { status: 'missing' };
    case 'deleted':
      return { status: 'deleted', authorId: state.authorId };
    case 'active':
      return { status: 'active', authorId: state.authorId, access };
  }
};

/** The answer for a post that is not there, and for one a block hides (domain/access.ts). */
export const postNotFound = () => notFound('POST_NOT_FOUND', 'No such post');

/** Refuses engagement with a post that is gone or that the actor may not see; returns the post's author. */
export const assertPostUsable = (facts: PostFacts): string => {
  switch (facts.status) {
    case 'missing':
      throw postNotFound();
    case 'deleted':
      throw ruleBroken('POST_DELETED', 'The post was deleted');
    case 'active':
      assertAccess(facts.access, 'this post', postNotFound);
      return facts.authorId;
  }
};
