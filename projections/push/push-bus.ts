// Pushes to connected clients (GET /api/v1/stream, SSE). Projections publish what a user should
// see at once (a new notification, a new feed item) after the batch that produced it is stored,
// and only outside a replay (ProjectionBatch.replay), so a rebuild never re-sends anything. The bus
// crosses processes (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY on the embedded defaults): the
// API process holding a client's stream is rarely the projector or worker that produced the push.

export type PushMessage =
  | { type: 'notification'; notification: Record<string, unknown> }
  | { type: 'feed'; postId: string; authorId: string; score: number };

export interface PushPublisher {
  /** Sends `message` to every connected stream of each user; best effort, at most once. */
  publish(userIds: readonly string[], message: PushMessage): Promise<void>;
}

export interface PushBus extends PushPublisher {
  /** Calls `listener` for each message to `userId` until the returned function is called. */
  subscribe(userId: string, listener: (message: PushMessage) => void): () => void;
  close(): Promise<void>;
}
