import type { StoryAuthor } from './stories-model';

/** A round avatar (its smallest variant at least `size` wide), or the name's initial when there is none, drawn by CSS from data-initial so that the button around it has no visible text but its name's words (WCAG 2.5.3). Decorative. */
export const StoryAvatar = ({ user, size }: { user: Pick<StoryAuthor, 'avatar' | 'username' | 'displayName'>; size: number }) => {
  const variants = user.avatar?.variants?.filter((variant) => variant.contentType === 'image/webp' || variant.contentType === 'image/jpeg') ?? [];
  const fitting = [...variants].sort((a, b) => a.width - b.width).find((variant) => variant.width >= size);
  const url = fitting?.url ?? user.avatar?.url;
  return (
    <span class="story-avatar" aria-hidden="true" data-initial={url ? undefined : (user.displayName || user.username).slice(0, 1).toUpperCase()} style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` }}>
      {url && <img src={url} alt="" width={size} height={size} />}
    </span>
  );
};
