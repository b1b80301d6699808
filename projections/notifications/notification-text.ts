import type { NotificationKind } from './subscribed-events.js';

// "alice liked your post", "alice and bob liked your post", "alice and 10 others liked your post".
const phrases: Record<NotificationKind, string> = {
  like: 'liked your post',
  comment: 'commented on your post',
  reply: 'replied to your comment',
  follow: 'started following you',
  follow_request: 'asked to follow you',
  mention: 'mentioned you',
  share: 'shared your post',
  tagged: 'tagged you in a post',
};

export const notificationText = (kind: NotificationKind, actorNames: readonly string[], actorCount: number, inComment: boolean): string => {
  const [first = 'someone', second] = actorNames;
  const who =
    actorCount <= 1 ? first : actorCount === 2 && second ? `${first} and ${second}` : `${first} and ${actorCount - 1} ${actorCount === 2 ? 'other' : 'others'}`;
  const what = kind === 'mention' ? `${phrases.mention} in a ${inComment ? 'comment' : 'post'}` : phrases[kind];
  return `${who} ${what}`;
};
