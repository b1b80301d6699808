import type { Answer, Media } from '../api/client';

// A person's round picture: the square `thumb` variant when it is sharp enough at the size shown
// (twice it, for high density screens), else the smallest larger variant, cropped by CSS; their
// initial on a grey disc when they have none. Decorative: the name beside it says who it is. The
// initial is drawn by CSS from data-initial (styles.css), not written as text, so that a named
// control around the picture (a story's button) has no visible text but its name's words
// (WCAG 2.5.3, axe's label-content-name-mismatch).

const pick = (avatar: Media, size: number) => {
  const images = (avatar.variants ?? []).filter((variant) => variant.contentType.startsWith('image/'));
  const webp = images.filter((variant) => variant.contentType === 'image/webp');
  const chosen = webp.length > 0 ? webp : images;
  const thumb = chosen.find((variant) => variant.name === 'thumb');
  if (thumb && thumb.width >= size * 2) return thumb.url;
  const larger = chosen.filter((variant) => variant.name !== 'thumb' && variant.width >= size * 2).sort((a, b) => a.width - b.width);
  return larger[0]?.url ?? thumb?.url ?? avatar.url;
};

export const Avatar = ({ avatar, name, size = 32 }: { avatar: Media | null; name: string; size?: number }) => (
  <span class="avatar" aria-hidden="true" data-initial={avatar ? undefined : (name.slice(0, 1) || '?').toUpperCase()} style={size === 32 ? undefined : { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size / 2.5)}px` }}>
    {avatar && <img src={pick(avatar, size)} alt="" width={size} height={size} />}
  </span>
);

/** A person as search and suggestions list them. */
export type UserSummary = Answer<'/api/v1/search/autocomplete', 'get'>['users'][number];
