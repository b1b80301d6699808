import type { ComponentChildren } from 'preact';
import { decode } from 'blurhash';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Media } from '../api/client';
import './media-view.css';

// One photo or video of a post, in a box of its own aspect ratio from the first paint (the API
// gives width and height), so nothing below moves when the bytes arrive. Until the image has
// loaded the box shows its blurhash (decoded to a 32-pixel canvas, stretched by CSS) on its
// dominant colour; `data-state` says which is shown (placeholder, loaded, failed).

const PLACEHOLDER_SIZE = 32;

/** When the first photo was decoded on this page, for the browser test's report (not asserted). */
declare global {
  interface Window {
    __firstImageAt?: number;
  }
}

const noteFirstImage = () => {
  window.__firstImageAt ??= performance.now();
};

const Blurhash = ({ hash }: { hash: string }) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    try {
      const pixels = decode(hash, PLACEHOLDER_SIZE, PLACEHOLDER_SIZE);
      const image = context.createImageData(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE);
      image.data.set(pixels);
      context.putImageData(image, 0, 0);
    } catch {
      // A malformed hash leaves the dominant colour showing.
    }
  }, [hash]);
  return <canvas ref={canvas} class="blurhash" width={PLACEHOLDER_SIZE} height={PLACEHOLDER_SIZE} aria-hidden="true" />;
};

/** srcset of the image variants of one format (WebP when there is one: every current browser reads it). */
const srcSetOf = (media: Media) => {
  const variants = media.variants ?? [];
  const webp = variants.filter((variant) => variant.contentType === 'image/webp');
  const chosen = webp.length > 0 ? webp : variants.filter((variant) => variant.contentType.startsWith('image/'));
  return chosen.map((variant) => `${variant.url} ${variant.width}w`).join(', ') || undefined;
};

type Tag = NonNullable<Media['tags']>[number];

/** A label at a tag's point (x and y are fractions of the item's box from its top left). */
export const TagLabel = ({ tag, children }: { tag: Tag; children?: ComponentChildren }) => (
  <span class="tag-label" style={{ left: `${tag.x * 100}%`, top: `${tag.y * 100}%` }}>
    @{tag.username}
    {children}
  </span>
);

/** Who is tagged, hidden until asked for (the labels would cover the photo), as Instagram does. */
const TagToggle = ({ tags }: { tags: Tag[] }) => {
  const [shown, setShown] = useState(false);
  return (
    <>
      <button type="button" class="tag-toggle" aria-pressed={shown} aria-label={`Tagged people (${tags.length})`} onClick={() => setShown(!shown)}>
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" fill="currentColor">
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z" />
        </svg>
      </button>
      {shown && (
        <ul class="tag-labels" aria-label="Tagged people">
          {tags.map((tag) => (
            <li key={tag.username}>
              <TagLabel tag={tag} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
};

/** A video's still before it plays: the processing worker's poster frame, else its largest image variant. */
export const posterOf = (media: Media) => {
  const variants = media.variants ?? [];
  return (variants.find((variant) => variant.name === 'poster') ?? variants.find((variant) => variant.contentType.startsWith('image/')))?.url;
};

export const MediaView = ({ media, alt, eager = false }: { media: Media; alt: string; eager?: boolean }) => {
  const [state, setState] = useState<'placeholder' | 'loaded' | 'failed'>('placeholder');
  const image = useRef<HTMLImageElement>(null);
  const width = media.width ?? 1;
  const height = media.height ?? 1;
  useEffect(() => {
    // Already decoded from the cache before the handler was attached.
    if (image.current?.complete && image.current.naturalWidth > 0) setState('loaded');
  }, [media.url]);
  return (
    <div class="media" data-state={state} style={{ aspectRatio: `${width} / ${height}`, backgroundColor: media.dominantColor ?? '#ddd' }}>
      {media.blurhash && state !== 'loaded' && <Blurhash hash={media.blurhash} />}
      {media.type === 'video' ? (
        // Inline and muted (browsers play muted video without a gesture, and iOS only inline with playsinline).
        <video
          src={media.url}
          poster={posterOf(media)}
          controls
          muted
          playsInline
          loop
          preload="metadata"
          aria-label={alt}
          width={width}
          height={height}
          onLoadedMetadata={() => setState('loaded')}
          onError={() => setState('failed')}
        />
      ) : (
        <img
          ref={image}
          src={media.url}
          srcSet={srcSetOf(media)}
          sizes="(max-width: 640px) 100vw, 614px"
          alt={alt}
          width={width}
          height={height}
          loading={eager ? 'eager' : 'lazy'}
          decoding="async"
          onLoad={() => {
            noteFirstImage();
            setState('loaded');
          }}
          onError={() => setState('failed')}
        />
      )}
      {media.tags && media.tags.length > 0 && <TagToggle tags={media.tags} />}
      {state === 'failed' && <p class="media-error">This {media.type === 'video' ? 'video' : 'photo'} could not be loaded.</p>}
    </div>
  );
};
