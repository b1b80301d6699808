import { Avatar } from './avatar';
import type { Media, Post } from '../api/client';
import { RichText } from './caption';
import { Carousel } from './carousel';
import { BookmarkIcon, CommentIcon, HeartIcon } from './icons';
import { usePostActions } from './post-actions';
import { ShareButton } from './share-button';
import { ErrorMessage } from './status';
import { plural } from '../text';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The words of an item's alt text (the first's by default): what it is, who posted it and what they said about it. */
export const mediaLabel = (post: Post, item: Media | undefined = post.media[0]) =>
  `${item?.type === 'video' ? 'Video' : 'Photo'} by @${post.author.username}${post.caption ? `: ${post.caption.slice(0, 120)}` : ''}`;

export const PostCard = ({ post, eager = false, linkToPost = true, onFresh }: { post: Post; eager?: boolean; linkToPost?: boolean; onFresh?: (post: Post) => void }) => {
  const { marks, error, toggleLike, toggleBookmark } = usePostActions(post, onFresh);
  const author = post.author.displayName || post.author.username;
  const profileHref = `/u/${post.author.username}`;
  return (
    <article class="post" aria-label={`Post by ${post.author.username}`} data-post-id={post.id}>
      <header class="post-header">
        {/* The picture repeats the name's link: out of the tab order and the accessibility tree. */}
        <a href={profileHref} tabIndex={-1} aria-hidden="true" class="post-avatar-link">
          <Avatar avatar={post.author.avatar ?? null} name={author} />
        </a>
        <span class="post-author">
          <a href={profileHref} class="post-author-link">
            <strong>{post.author.username}</strong>
          </a>
          {post.location && (
            <a class="post-location" href={`/places/${post.location.id}`}>
              {post.location.name}
            </a>
          )}
        </span>
      </header>
      <Carousel items={post.media} label={mediaLabel(post)} labelOf={(item) => mediaLabel(post, item)} eager={eager} />
      <div class="post-actions">
        <button type="button" class="action like" aria-pressed={marks.liked} aria-label={marks.liked ? 'Unlike' : 'Like'} onClick={toggleLike}>
          <HeartIcon filled={marks.liked} />
        </button>
        {linkToPost && (
          <a class="action" href={`/p/${post.id}`} aria-label={`Comments (${post.commentCount})`}>
            <CommentIcon />
          </a>
        )}
        <ShareButton post={post} />
        <button type="button" class="action bookmark" aria-pressed={marks.bookmarked} aria-label={marks.bookmarked ? 'Remove bookmark' : 'Bookmark'} onClick={toggleBookmark}>
          <BookmarkIcon filled={marks.bookmarked} />
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      <p class="post-likes" aria-live="polite">
        {plural(marks.likeCount, 'like', 'likes')}
      </p>
      {post.caption && (
        <p class="post-caption">
          <strong>{post.author.username}</strong> <RichText text={post.caption} hashtags={post.hashtags} mentions={post.mentions} />
        </p>
      )}
      {linkToPost && post.commentCount > 0 && (
        <a class="post-comments-link" href={`/p/${post.id}`}>
          View {post.commentCount === 1 ? '1 comment' : `all ${post.commentCount} comments`}
        </a>
      )}
      <p class="post-time">
        <time dateTime={post.createdAt}>{timeFormat.format(new Date(post.createdAt))}</time>
      </p>
    </article>
  );
};
