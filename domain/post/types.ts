import type { EventsOf } from '../../events/registry.js';
import type { MediaItem } from '../../events/index.js';

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
      media: MediaItem[];
      createdAt: string;
    };

export interface CreatePost {
  type: 'CreatePost';
  postId: string;
  authorId: string;
  caption: string;
  media: MediaItem[];
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

export type PostCommand = CreatePost | EditCaption | DeletePost;

export type PostEvent = EventsOf<'PostCreated' | 'CaptionEdited' | 'PostDeleted'>;
