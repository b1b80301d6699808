import { useEffect, useRef } from 'preact/hooks';
import type { Story } from './stories-model';

// A story's photo or video, whole within the screen (contain), over its dominant colour. It says
// when it can be shown (a photo decoded, a video's first frame), with a video's length, so the
// progress bar starts then and lasts as long as the video.

const srcSetOf = (media: Story['media']) => {
  const variants = (media.variants ?? []).filter((variant) => variant.contentType === 'image/webp');
  return variants.map((variant) => `${variant.url} ${variant.width}w`).join(', ') || undefined;
};

export const StoryMedia = ({ media, alt, playing, onReady }: { media: Story['media']; alt: string; playing: boolean; onReady: (videoMs?: number) => void }) => {
  const video = useRef<HTMLVideoElement>(null);
  const image = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    // A refused autoplay leaves the first frame shown; the bar still runs.
    if (playing) element.play().catch(() => undefined);
    else element.pause();
  }, [playing]);
  useEffect(() => {
    // Already decoded (from the cache) before the handler was attached.
    if (image.current?.complete && image.current.naturalWidth > 0) onReady();
  }, []);
  const failed = () => onReady(); // an unloadable item still gets its time, then the next one
  if (media.type === 'video')
    return (
      <video
        ref={video}
        class="story-media"
        src={media.url}
        poster={media.variants?.find((variant) => variant.contentType.startsWith('image/'))?.url}
        muted
        autoplay
        playsInline
        aria-label={alt}
        onLoadedData={(event) => {
          const seconds = (event.currentTarget as HTMLVideoElement).duration;
          onReady(Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined);
        }}
        onError={failed}
      />
    );
  return <img ref={image} class="story-media" src={media.url} srcSet={srcSetOf(media)} sizes="(max-width: 480px) 100vw, 480px" alt={alt} onLoad={() => onReady()} onError={failed} />;
};
