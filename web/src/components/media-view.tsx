import { decode } from 'blurhash';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Media } from '../api/client';

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
        <video src={media.url} controls muted playsInline preload="metadata" aria-label={alt} width={width} height={height} onLoadedData={() => setState('loaded')} onError={() => setState('failed')} />
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
      {state === 'failed' && <p class="media-error">This {media.type === 'video' ? 'video' : 'photo'} could not be loaded.</p>}
    </div>
  );
};
