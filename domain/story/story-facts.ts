import type { Access } from '../access.js';
import type { StoryState } from './story.js';

/** What a handler learned about a story (and the viewer's access to its author) before recording a view. */
export type StoryFacts =
  | { status: 'missing' | 'deleted' }
  | { status: 'active' | 'expired'; authorId: string; expiresAt: string; access: Access };

// The clock is not needed here: the view decider compares its `now` with expiresAt, so a story
// past its time counts as expired before the expiry process has caught up with it.
export const storyFacts = (state: StoryState, access: Access): StoryFacts => {
  switch (state.status) {
    case 'none':
      return { status: 'missing' };
    case 'deleted':
      return { status: 'deleted' };
    case 'active':
    case 'expired':
      return { status: state.status, authorId: state.authorId, expiresAt: state.expiresAt, access };
  }
};
