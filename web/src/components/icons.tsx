import type { ComponentChildren } from 'preact';

// The action icons as inline SVG (no icon font, no emoji: both depend on the reader's fonts).
// Decorative: the buttons around them carry the accessible names.

const Svg = ({ children, filled }: { children: ComponentChildren; filled: boolean }) => (
  <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">
    {children}
  </svg>
);

export const HeartIcon = ({ filled }: { filled: boolean }) => (
  <Svg filled={filled}>
    <path d="M12 20.5s-7.5-4.6-9.3-9.1C1.4 8.1 3.5 4.5 7 4.5c2.1 0 3.6 1.2 5 3 1.4-1.8 2.9-3 5-3 3.5 0 5.6 3.6 4.3 6.9-1.8 4.5-9.3 9.1-9.3 9.1z" />
  </Svg>
);

export const CommentIcon = () => (
  <Svg filled={false}>
    <path d="M20.5 11.5a8.5 8.5 0 0 1-12.4 7.6L3.5 20.5l1.4-4.4A8.5 8.5 0 1 1 20.5 11.5z" />
  </Svg>
);

export const BookmarkIcon = ({ filled }: { filled: boolean }) => (
  <Svg filled={filled}>
    <path d="M6 3.5h12v17l-6-5-6 5z" />
  </Svg>
);

export const PlusIcon = () => (
  <Svg filled={false}>
    <rect x="3.5" y="3.5" width="17" height="17" rx="4.5" />
    <path d="M12 8v8M8 12h8" />
  </Svg>
);

/** A map pin (a place): `size` and `stroke` for where it stands (a suggestion, a place's head). */
export const PlaceIcon = ({ size, stroke }: { size: number; stroke: number }) => (
  <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width={stroke}>
    <path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z" />
    <circle cx="12" cy="9.5" r="2.5" />
  </svg>
);
