// Pushes to connected clients (GET /api/v1/stream, SSE). Projections publish what a user should
// see at once (a new notification, a new feed item) after the batch that produced it is stored,
// and only outside a replay (ProjectionBatch.replay), so a rebuild never re-sends anything. The bus
// crosses processes (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY on the embedded defaults): the
// API process holding a client's stream is rarely the projector or worker that produced the push.

export type PushMessage =
  | { type: 'notification'; notification: Record<string, unknown> }
  | { type: 'feed'; postId: string; authorId: string; score: number };

export interface PushPublisher {
  /**
   * Sends `message` to every connected stream of each user; best effort, at most once. Never
   * rejects: a push that cannot be sent is reported to the bus's onError and dropped, so a
   * projection's batch never fails (and is never retried) for the sake of a push.
   */
  publish(userIds: readonly string[], message: PushMessage): Promise<void>;
}

export type Unsubscribe = () => void;

export interface PushBus extends PushPublisher {
  /**
   * Calls `listener` for each message to `userId` until the returned function is called. Resolves
   * once the subscription is live on the bus, so nothing published afterwards is missed; rejects
   * when the bus's server cannot be reached.
   */
  subscribe(userId: string, listener: (message: PushMessage) => void): Promise<Unsubscribe>;
  /** Ends every subscription and the bus's own connection (not the publishing one it was given). */
  close(): Promise<void>;
}

/** Where a bus reports what it dropped (a failed publish, an unreadable message). */
export type PushErrorReporter = (error: unknown) => void;

export const warnOnPushError: PushErrorReporter = (error) => console.warn('[push bus] dropped a push:', error);

/** A message that came over the wire, or null when it is not one (another sender's, a newer version's). */
export const asPushMessage = (value: unknown): PushMessage | null => {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'feed' || type === 'notification' ? (value as PushMessage) : null;
};

export const parsePushMessage = (text: string): PushMessage | null => {
  try {
    return asPushMessage(JSON.parse(text));
  } catch {
    return null;
  }
};
