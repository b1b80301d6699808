import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Media, Post } from '../api/client';
import { mediaLabel } from './post-card';
import { ErrorMessage, Loading } from './status';
import './post-grid.css';

// Posts as a grid of square thumbnails (hashtag, place, explore, search, collections; a profile can
// use it too): each links to the post page, its alt text the post's caption, its box square before
// the image arrives (the thumb variant is a square crop), so loading moves nothing. Paging is the
// API's cursor, behind a "Load more" button.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The square crop made for grids (media/processing/image.ts), WebP first; the full image for external media. */
const thumbOf = (media: Media) => {
  const thumbs = (media.variants ?? []).filter((variant) => variant.name === 'thumb');
  return thumbs.find((variant) => variant.contentType === 'image/webp') ?? thumbs[0] ?? null;
};

/** The corner mark of a carousel or a video (decorative: the post page says what it holds). */
const Badge = ({ kind }: { kind: 'many' | 'video' }) => (
  <svg class="grid-badge" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="currentColor">
    {kind === 'many' ? <path d="M7 3h13a1 1 0 0 1 1 1v13h-2V5H7zM3 7h13a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1z" /> : <path d="M7 4l13 8-13 8z" />}
  </svg>
);

const Thumb = ({ post }: { post: Post }) => {
  const first = post.media[0];
  const [loaded, setLoaded] = useState(false);
  if (!first) return null;
  const thumb = thumbOf(first);
  const many = post.media.length > 1;
  return (
    <a class="grid-item" href={`/p/${post.id}`} data-post-id={post.id} style={{ backgroundColor: first.dominantColor ?? undefined }}>
      {first.type === 'video' && !thumb ? (
        <span class="grid-video">{mediaLabel(post)}</span>
      ) : (
        <img
          src={thumb?.url ?? first.url}
          alt={mediaLabel(post)}
          width={thumb?.width ?? first.width}
          height={thumb?.height ?? first.height}
          loading="lazy"
          decoding="async"
          class={loaded ? 'loaded' : undefined}
          ref={(element) => {
            if (element?.complete && element.naturalWidth > 0 && !loaded) setLoaded(true);
          }}
          onLoad={() => setLoaded(true)}
        />
      )}
      {(many || first.type === 'video') && <Badge kind={many ? 'many' : 'video'} />}
    </a>
  );
};

export interface PostGridProps {
  posts: Post[];
  /** Names the grid for assistive technology, e.g. "Posts tagged #sunset". */
  label: string;
  loading?: boolean;
  error?: unknown;
  /** A further page exists. */
  hasMore?: boolean;
  onMore?: () => void;
  onRetry?: () => void;
  empty?: string;
  /** A control under a post's thumbnail (e.g. a collection's "Remove"). */
  itemAction?: (post: Post) => ComponentChildren;
}

export const PostGrid = ({ posts, label, loading = false, error = null, hasMore = false, onMore, onRetry, empty = 'No posts yet.', itemAction }: PostGridProps) => (
  <section class="post-grid-section" aria-label={label} aria-busy={loading}>
    {posts.length > 0 && (
      <ul class="post-grid" role="list">
        {posts.map((post) => (
          <li key={post.id}>
            <Thumb post={post} />
            {itemAction?.(post)}
          </li>
        ))}
      </ul>
    )}
    {loading && <Loading label={posts.length === 0 ? 'Loading posts…' : 'Loading more posts…'} />}
    {error !== null && error !== undefined && <ErrorMessage error={error} onRetry={onRetry} />}
    {!loading && (error === null || error === undefined) && posts.length === 0 && <p class="empty">{empty}</p>}
    {hasMore && !loading && (error === null || error === undefined) && onMore && (
      <button type="button" class="load-more" onClick={onMore}>
        Load more
      </button>
    )}
  </section>
);

/**
 * A cursor-paged list read from the start whenever `key` changes: items, in order, without the
 * repeats a page boundary may bring; a page answered after the key changed is dropped.
 */
export const usePaged = <T extends { id: string }, P extends Page<T> = Page<T>>(key: string, fetchPage: (cursor: string | null) => Promise<P>, onFirst?: (page: P) => void) => {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;
  const first = useRef(onFirst);
  first.current = onFirst;

  const load = useCallback(async (from: string | null) => {
    const mine = generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await fetcher.current(from);
      if (mine !== generation.current) return;
      if (from === null) first.current?.(page);
      setItems((shown) => {
        if (from === null) return page.items;
        const seen = new Set(shown.map((item) => item.id));
        return [...shown, ...page.items.filter((item) => !seen.has(item.id))];
      });
      setCursor(page.nextCursor);
    } catch (failure) {
      if (mine === generation.current) setError(failure);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current++;
    setItems([]);
    setCursor(null);
    void load(null);
  }, [key, load]);

  return {
    items,
    setItems,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => {
      if (!loading && cursor) void load(cursor);
    },
    retry: () => void load(items.length === 0 ? null : cursor),
    reload: () => {
      generation.current++;
      void load(null);
    },
  };
};
