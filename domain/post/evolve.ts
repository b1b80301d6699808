import type { PostEvent, PostState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
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
  }
};

export const canApplyPostEvent = (state: PostState, event: PostEvent): boolean => postTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolvePost = (state: PostState, event: PostEvent): PostState => postTransition(state, event) ?? state;
