import { useEffect, useState } from 'preact/hooks';

// The client's routes, in the History API: the server answers index.html for any of them
// (app/http/web-client.ts), so a reload or a shared link opens the same screen.

export type ProfileView = 'posts' | 'tagged' | 'followers' | 'following';

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'post'; postId: string }
  | { name: 'composer' }
  | { name: 'profile'; username: string; view: ProfileView }
  | { name: 'requests' }
  | { name: 'notifications' }
  | { name: 'settings' }
  | { name: 'not-found' }
  | DiscoveryRoute;

type DiscoveryRoute =
  | { name: 'search' }
  | { name: 'hashtag'; tag: string }
  | { name: 'place'; placeId: string }
  | { name: 'explore' }
  | { name: 'saved' }
  | { name: 'collection'; collectionId: string };

const UUID = '([0-9a-f-]{36})';

const discoveryRouteOf = (path: string): DiscoveryRoute | null => {
  if (path === '/search') return { name: 'search' };
  if (path === '/explore') return { name: 'explore' };
  if (path === '/saved') return { name: 'saved' };
  const tag = /^\/tags\/([^/]+)\/?$/.exec(path);
  if (tag) {
    try {
      return { name: 'hashtag', tag: decodeURIComponent(tag[1]!).replace(/^#/, '').toLowerCase() };
    } catch {
      return null; // a malformed %-escape names no tag
    }
  }
  const place = new RegExp(`^/places/${UUID}/?$`, 'i').exec(path);
  if (place) return { name: 'place', placeId: place[1]!.toLowerCase() };
  // "all": every bookmark, the collection every saved post is in.
  const collection = new RegExp(`^/saved/(all|${UUID})/?$`, 'i').exec(path);
  if (collection) return { name: 'collection', collectionId: collection[1]!.toLowerCase() };
  return null;
};

export const routeOf = (path: string): Route => {
  if (path === '/' || path === '') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  if (path === '/register') return { name: 'register' };
  if (path === '/notifications') return { name: 'notifications' };
  if (path === '/settings') return { name: 'settings' };
  if (path === '/new') return { name: 'composer' };
  const post = /^\/p\/([0-9a-f-]{36})\/?$/i.exec(path);
  if (post) return { name: 'post', postId: post[1]!.toLowerCase() };
  const profile = /^\/u\/([a-z0-9._]{1,30})(?:\/(tagged|followers|following))?\/?$/i.exec(path);
  if (profile) return { name: 'profile', username: profile[1]!.toLowerCase(), view: (profile[2]?.toLowerCase() ?? 'posts') as ProfileView };
  if (path === '/requests') return { name: 'requests' };
  return discoveryRouteOf(path) ?? { name: 'not-found' };
};

const listeners = new Set<() => void>();

export const navigate = (to: string, { replace = false } = {}) => {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
};

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export const useRoute = (): Route => {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return routeOf(path);
};

/** A same-origin link's click, handled by the router (modifier keys and middle clicks keep the browser's own behaviour). */
export const onLinkClick = (event: MouseEvent) => {
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.origin !== location.origin || event.defaultPrevented) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  // The hash too: it names a section of the screen (/settings#blocked-accounts).
  navigate(anchor.pathname + anchor.search + anchor.hash);
};
