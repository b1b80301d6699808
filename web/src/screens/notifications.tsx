import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { PageState, usePaged, type Page } from '../components/paged';
import { ErrorMessage } from '../components/status';
import { markRead, useNotificationEvents, type Notification } from '../live';
import './notifications.css';

// The notification groups the API makes ("alice and 10 others liked your post"), latest activity
// first, paged by its cursor. Opening the screen marks read what it shows, up to the newest
// activity shown (`upTo`), so that activity arriving meanwhile stays unread until it is shown too;
// the groups keep their "new" mark for this visit. Groups the stream announces while the screen
// is open go to the top (a group with new activity moves there) and are marked read when the tab is
// visible.

const PAGE = 20;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];
const ago = (iso: string) => {
  let value = (Date.parse(iso) - Date.now()) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return '';
};

/** Where a group leads: its post, else the profile of its latest actor (follows, requests). */
const targetOf = (notification: Notification) =>
  notification.post ? `/p/${notification.post.id}` : notification.actors[0] ? `/u/${notification.actors[0].username}` : '/notifications';

const newest = (items: Notification[]) => items.reduce<string | undefined>((latest, item) => (latest === undefined || item.createdAt > latest ? item.createdAt : latest), undefined);

const Avatars = ({ actors }: { actors: Notification['actors'] }) => (
  <span class="notification-avatars" aria-hidden="true">
    {actors.slice(0, 2).map((actor) => (
      <span key={actor.id} class="avatar">
        {actor.avatar ? <img src={actor.avatar.variants?.at(-1)?.url ?? actor.avatar.url} alt="" width={32} height={32} /> : (actor.displayName || actor.username).slice(0, 1).toUpperCase()}
      </span>
    ))}
  </span>
);

const Item = ({ notification, fresh }: { notification: Notification; fresh: boolean }) => (
  <li class="notification" data-unread={fresh ? 'true' : undefined}>
    <a href={targetOf(notification)}>
      <Avatars actors={notification.actors} />
      <span class="notification-text">
        {notification.text}
        <time dateTime={notification.createdAt}>{` · ${ago(notification.createdAt)}`}</time>
      </span>
      {fresh && (
        <span class="notification-dot">
          <span class="visually-hidden">, new</span>
        </span>
      )}
    </a>
  </li>
);

export const NotificationsScreen = () => {
  const [markError, setMarkError] = useState<unknown>(null);
  /** Ids unread when first shown on this visit: they keep their mark after being marked read. */
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const marked = useRef<string>('');

  const noteFresh = (shown: Notification[]) => {
    const unread = shown.filter((item) => !item.read).map((item) => item.id);
    if (unread.length > 0) setFresh((known) => new Set([...known, ...unread]));
  };

  /** Marks read up to the newest activity shown, once per newer instant. */
  const markShown = useCallback(async (upTo: string | undefined) => {
    if (!upTo || upTo <= marked.current) return;
    marked.current = upTo;
    setMarkError(null);
    try {
      await markRead(upTo);
    } catch (failure) {
      marked.current = '';
      setMarkError(failure);
    }
  }, []);

  const list = usePaged<Notification, Page<Notification> & { unreadCount: number }>(
    'notifications',
    async (cursor) => {
      const page = await api.get('/api/v1/notifications', { query: { limit: PAGE, ...(cursor ? { cursor } : {}) }, fresh: cursor === null });
      noteFresh(page.items);
      return page;
    },
    (page) => {
      if (page.unreadCount > 0) void markShown(newest(page.items));
      else marked.current = newest(page.items) ?? '';
    },
    // Groups the stream brought during the read stay at the top; the page's copies are older.
    { keepShown: true },
  );
  const items = list.items;

  // What arrived while the tab was hidden is marked read once the reader comes back to it.
  const shownRef = useRef(items);
  shownRef.current = items;
  useEffect(() => {
    const onVisible = () => document.visibilityState === 'visible' && void markShown(newest(shownRef.current));
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [markShown]);

  useNotificationEvents(
    useCallback(
      (notification: Notification) => {
        list.setItems((shown) => [notification, ...shown.filter((item) => item.id !== notification.id)]);
        noteFresh([notification]);
        if (document.visibilityState === 'visible') void markShown(notification.createdAt);
      },
      [markShown],
    ),
  );

  return (
    <main class="notifications" aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      {markError !== null && <ErrorMessage error={markError} onRetry={() => void markShown(newest(items))} />}
      {items.length > 0 && (
        <ul class="notification-list" aria-busy={list.loading}>
          {items.map((item) => (
            <Item key={item.id} notification={item} fresh={fresh.has(item.id)} />
          ))}
        </ul>
      )}
      <PageState list={list} loadingLabel="Loading notifications…" moreLabel="Loading more…" empty="No notifications yet. Likes, comments, mentions and new followers show here." />
    </main>
  );
};
