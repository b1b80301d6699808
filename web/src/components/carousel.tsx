import { useState } from 'preact/hooks';
import type { Media } from '../api/client';
import { MediaView } from './media-view';

// A post's 1 to 10 items, one shown at a time, with previous/next buttons and arrow keys; each
// item keeps its own aspect ratio box, so the post does not jump when moving between them. `label`
// names the whole; `labelOf` each item (a photo and a video of one post are said differently).
export const Carousel = ({ items, label, labelOf = () => label, eager = false }: { items: Media[]; label: string; labelOf?: (item: Media) => string; eager?: boolean }) => {
  const [index, setIndex] = useState(0);
  const count = items.length;
  const current = items[Math.min(index, count - 1)];
  if (!current) return null;
  const alt = (at: number) => (count > 1 ? `${labelOf(items[at]!)} (${at + 1} of ${count})` : labelOf(items[at]!));
  if (count === 1) return <MediaView media={current} alt={alt(0)} eager={eager} />;
  const go = (to: number) => setIndex(Math.max(0, Math.min(count - 1, to)));
  return (
    <div
      class="carousel"
      role="group"
      aria-roledescription="carousel"
      aria-label={label}
      tabIndex={0}
      onKeyDown={(event) => {
        if (event.key === 'ArrowRight') go(index + 1);
        else if (event.key === 'ArrowLeft') go(index - 1);
      }}
    >
      <MediaView key={current.url} media={current} alt={alt(index)} eager={eager} />
      <button type="button" class="carousel-prev" aria-label="Previous photo" disabled={index === 0} onClick={() => go(index - 1)}>
        ‹
      </button>
      <button type="button" class="carousel-next" aria-label="Next photo" disabled={index === count - 1} onClick={() => go(index + 1)}>
        ›
      </button>
      <p class="carousel-dots" aria-live="polite">
        {index + 1} / {count}
      </p>
    </div>
  );
};
