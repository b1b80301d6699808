import { useEffect, useState } from 'preact/hooks';
import { api, type Answer } from './api/client';
import { getSession } from './session';

// The tab's one live connection (README "Live updates (SSE)") and the unread count it keeps. The
// API caps open streams per account (STREAMS_PER_ACCOUNT), so every part of the page that wants
// events shares this one: the stream opens with its first listener and closes with its last (the
// header's badge is one while signed in, so logging out closes it).
// - EventSource cannot send the bearer token: each connection asks for a single-use ticket first.
// - EventSource's own reconnect would resend the used ticket (401): on any error the source is
//   closed and a fresh ticket asked for, after a growing wait.
// - Delivery is at most once: on every (re)connect the count is read again.

export type Notification = Answer<'/api/v1/notifications', 'get'>['items'][number];
export type FeedEvent = { postId: string; authorId: string; score: number };

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

let unread: number | null = null;
const countListeners = new Set<(count: number | null) => void>();
const notificationListeners = new Set<(notification: Notification) => void>();
const feedListeners = new Set<(event: FeedEvent) => void>();

let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
/** Bumped by each stop, so that a connect still awaiting its ticket knows it is stale. */
let generation = 0;

const listening = () => countListeners.size + notificationListeners.size + feedListeners.size > 0;

const setUnread = (count: number) => {
  unread = count;
  for (const listener of countListeners) listener(count);
};

let reading: Promise<void> | null = null;
let readAgain = false;

/** Reads the exact count (the API maintains it); calls during a read make one more read after it. */
export const refreshUnread = (): Promise<void> => {
  if (reading) {
    readAgain = true;
    return reading;
  }
  reading = (async () => {
    try {
      do {
        readAgain = false;
        const mine = generation;
        const page = await api.get('/api/v1/notifications', { query: { limit: 1 }, fresh: true });
        // A count read for a session that has since stopped is not shown.
        if (mine === generation && listening()) setUnread(page.unreadCount);
      } while (readAgain);
    } catch {
      // The badge keeps its last count; the next event or reconnect reads it again.
    } finally {
      reading = null;
    }
  })();
  return reading;
};

const scheduleReconnect = () => {
  clearTimeout(retryTimer);
  const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
  failures++;
  // Jittered, so that the tabs of a restarted server do not all come back at once.
  retryTimer = setTimeout(connect, wait * (0.75 + Math.random() * 0.5));
};

const parse = (event: Event): unknown => {
  try {
    return JSON.parse((event as MessageEvent<string>).data);
  } catch {
    return null;
  }
};

async function connect() {
  const mine = generation;
  if (!getSession() || !listening()) return;
  let ticket: string;
  try {
    ticket = (await api.post('/api/v1/auth/stream-ticket')).ticket;
  } catch {
    // A session that ended is cleared by the client (the app then shows the login screen and stops this).
    if (mine === generation) scheduleReconnect();
    return;
  }
  if (mine !== generation || source) return;
  const opened = new EventSource(`/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
  source = opened;
  opened.onopen = () => {
    failures = 0;
    void refreshUnread();
  };
  opened.addEventListener('notification', (event) => {
    const notification = parse(event) as Notification | null;
    if (!notification) return;
    for (const listener of notificationListeners) listener(notification);
    // New activity on a group already unread does not add to the count: the API's count is exact.
    void refreshUnread();
  });
  opened.addEventListener('feed', (event) => {
    const data = parse(event) as FeedEvent | null;
    if (data) for (const listener of feedListeners) listener(data);
  });
  opened.onerror = () => {
    // Closed by the server (session ended, token expired, too slow), refused, or the network: a fresh ticket.
    opened.close();
    if (source !== opened) return;
    source = null;
    scheduleReconnect();
  };
}

const stop = () => {
  generation++;
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  failures = 0;
  unread = null;
};

const join = <T>(set: Set<T>, listener: T) => {
  const first = !listening();
  set.add(listener);
  if (first) {
    void refreshUnread();
    void connect();
  }
  return () => {
    set.delete(listener);
    if (!listening()) stop();
  };
};

/** The unread count (null until first read), live. */
export const useUnreadCount = (): number | null => {
  const [count, setCount] = useState(unread);
  useEffect(() => join(countListeners, setCount), []);
  return count;
};

/** Calls `listener` with each notification group the stream announces while mounted. */
export const useNotificationEvents = (listener: (notification: Notification) => void) => {
  useEffect(() => join(notificationListeners, listener), [listener]);
};

/** Calls `listener` with each post the stream says entered the home feed (by postId: one may come twice). */
export const useFeedEvents = (listener: (event: FeedEvent) => void) => {
  useEffect(() => join(feedListeners, listener), [listener]);
};

/** Marks read the activity up to `upTo` (or everything), then shows the count that leaves. */
export const markRead = async (upTo?: string) => {
  await api.post('/api/v1/notifications/read', { body: upTo ? { upTo } : {} });
  await refreshUnread();
};
