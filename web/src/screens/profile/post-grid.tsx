import { useRef } from 'preact/hooks';
import type { Media, Post } from '../../api/client';
import { mediaLabel } from '../../components/post-card';
import { ErrorMessage, Loading } from '../../components/status';
import { useNearEnd, usePaged, type PageOf } from './paged';

// A profile's posts (or the posts its owner is tagged in) as a grid of square thumbnails, three
// a row at every width, each a link to the post. The square box is there before the image (no
// jump); it shows the item's dominant colour until the `thumb` variant (150 px, cover-cropped)
// or, on dense screens, the 320 px variant arrives.

const thumbOf = (media: Media) => {
  const images = (media.variants ?? []).filter((variant) => variant.contentType.startsWith('image/'));
  const webp = images.filter((variant) => variant.contentType === 'image/webp');
  const chosen = webp.length > 0 ? webp : images;
  const thumb = chosen.find((variant) => variant.name === 'thumb');
  const larger = chosen.find((variant) => variant.name === '320');
  const srcSet = [thumb && `${thumb.url} ${thumb.width}w`, larger && `${larger.url} ${larger.width}w`].filter(Boolean).join(', ');
  return { src: thumb?.url ?? larger?.url ?? (media.type === 'image' ? media.url : undefined), srcSet: srcSet || undefined };
};

const Tile = ({ post }: { post: Post }) => {
  const first = post.media[0];
  if (!first) return null;
  const { src, srcSet } = thumbOf(first);
  const count = post.media.length;
  const label = first.type === 'video' ? mediaLabel(post).replace(/^Photo/, 'Video') : mediaLabel(post);
  const alt = `${label}${count > 1 ? ` (${count} items)` : ''}`;
  return (
    <li>
      <a class="tile" href={`/p/${post.id}`} style={{ backgroundColor: first.dominantColor ?? undefined }} aria-label={src ? undefined : alt}>
        {src ? <img src={src} srcSet={srcSet} sizes="(max-width: 640px) 33vw, 205px" alt={alt} width={150} height={150} loading="lazy" decoding="async" /> : <span class="tile-video" aria-hidden="true">▶</span>}
        {count > 1 && (
          <span class="tile-badge" aria-hidden="true">
            {count}
          </span>
        )}
      </a>
    </li>
  );
};

export const PostGrid = ({ listKey, label, load, empty }: { listKey: string; label: string; load: (cursor: string | null) => Promise<PageOf<Post>>; empty: string }) => {
  const { items, loading, error, done, more, retry, hasMore } = usePaged(listKey, load);
  const sentinel = useRef<HTMLDivElement>(null);
  useNearEnd(sentinel, more, hasMore && !loading && error === null);
  return (
    <>
      <ul class="grid" aria-label={label} aria-busy={loading}>
        {items.map((post) => (
          <Tile key={post.id} post={post} />
        ))}
      </ul>
      {loading && <Loading label={items.length === 0 ? 'Loading posts…' : 'Loading more posts…'} />}
      {error !== null && <ErrorMessage error={error} onRetry={retry} />}
      {!loading && error === null && done && items.length === 0 && <p class="empty">{empty}</p>}
      {hasMore && !loading && error === null && (
        <button type="button" class="load-more" onClick={more}>
          Load more
        </button>
      )}
      <div ref={sentinel} aria-hidden="true" class="sentinel" />
    </>
  );
};
