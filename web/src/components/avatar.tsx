import type { Answer } from '../api/client';

export type UserSummary = Answer<'/api/v1/search/autocomplete', 'get'>['users'][number];

/** A person's picture (the smallest variant), or their initial on a plain disc; decorative, as their name is always beside it. */
export const Avatar = ({ user, size = 32 }: { user: UserSummary; size?: number }) => {
  const url = user.avatar ? (user.avatar.variants?.find((variant) => variant.name === 'thumb')?.url ?? user.avatar.variants?.at(-1)?.url ?? user.avatar.url) : null;
  return (
    <span class="avatar" aria-hidden="true" style={size === 32 ? undefined : { width: `${size}px`, height: `${size}px` }}>
      {url ? <img src={url} alt="" width={size} height={size} /> : (user.displayName || user.username).slice(0, 1).toUpperCase()}
    </span>
  );
};
