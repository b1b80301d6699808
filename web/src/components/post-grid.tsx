import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Media, Post } from '../api/client';
import { mediaLabel } from './post-card';
import { PageState, type Paged } from './paged';
import './post-grid.css';

// Posts as a grid of square thumbnails (a profile's posts and tagged posts, hashtag, place, explore,
// search, collections): each links to the post page, its alt text the post's caption, its box
// square before the image arrives (the thumb variant is a square crop), so loading moves nothing.
// Paging is the API's cursor, behind a "Load more" button (and, for `endless` grids, as the
// reader nears the end).

/** The square crops made for grids (media/processing/image.ts: thumb 150 px, and 320 px for dense screens), WebP first; the full image for external media. */
export const thumbOf = (media: Media) => {
  const images = (media.variants ?? []).filter((variant) => variant.contentType.startsWith('image/'));
  const webp = images.filter((variant) => variant.contentType === 'image/webp');
  const chosen = webp.length > 0 ? webp : images;
  const thumb = chosen.find((variant) => variant.name === 'thumb');
  const larger = chosen.find((variant) => variant.name === '320');
  const srcSet = [thumb && `${thumb.url} ${thumb.width}w`, larger && `${larger.url} ${larger.width}w`].filter(Boolean).join(', ');
  const src = thumb?.url ?? larger?.url ?? (media.type === 'image' ? media.url : undefined);
  return src ? { src, srcSet: srcSet || undefined, width: thumb?.width ?? larger?.width ?? media.width, height: thumb?.height ?? larger?.height ?? media.height } : null;
};

/** The corner mark of a carousel or a video (decorative: the alt text says what it holds). */
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
  const count = post.media.length;
  const label = `${mediaLabel(post, first)}${count > 1 ? ` (${count} items)` : ''}`;
  return (
    <a class="grid-item" href={`/p/${post.id}`} data-post-id={post.id} style={{ backgroundColor: first.dominantColor ?? undefined }}>
      {thumb ? (
        <img
          src={thumb.src}
          srcSet={thumb.srcSet}
          sizes="(max-width: 640px) 33vw, 205px"
          alt={label}
          width={thumb.width}
          height={thumb.height}
          loading="lazy"
          decoding="async"
          class={loaded ? 'loaded' : undefined}
          ref={(element) => {
            if (element?.complete && element.naturalWidth > 0 && !loaded) setLoaded(true);
          }}
          onLoad={() => setLoaded(true)}
        />
      ) : (
        <span class="grid-video">{label}</span>
      )}
      {(count > 1 || first.type === 'video') && <Badge kind={count > 1 ? 'many' : 'video'} />}
    </a>
  );
};

export interface PostGridProps {
  /** The posts, as usePaged reads them. */
  list: Paged<Post>;
  /** Names the grid for assistive technology, e.g. "Posts tagged #sunset". */
  label: string;
  empty?: string;
  /** Read the next page as the reader nears the end. */
  endless?: boolean;
  /** A control under a post's thumbnail (e.g. a collection's "Remove"). */
  itemAction?: (post: Post) => ComponentChildren;
}

export const PostGrid = ({ list, label, empty = 'No posts yet.', endless = false, itemAction }: PostGridProps) => (
  <section class="post-grid-section" aria-label={label} aria-busy={list.loading}>
    {list.items.length > 0 && (
      <ul class="post-grid" role="list">
        {list.items.map((post) => (
          <li key={post.id}>
            <Thumb post={post} />
            {itemAction?.(post)}
          </li>
        ))}
      </ul>
    )}
    <PageState list={list} loadingLabel="Loading posts…" moreLabel="Loading more posts…" empty={empty} endless={endless} />
  </section>
);
