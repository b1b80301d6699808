import type { CardTouches } from './card-touches.js';

// The broadcast that keeps every API process's card cache (read-api/card-cache.ts) in step with
// the profiles read model: the profiles projector publishes what each committed live batch
// touched (card-touches.ts) and every API process evicts it. Redis pub/sub on one channel when
// REDIS_URL is set (card-bus-redis.ts), PostgreSQL LISTEN/NOTIFY otherwise (card-bus-postgres.ts).
// Delivery is at most once, so the subscriber is told when its subscription is live and when it
// dropped: a cache may only trust its entries while it is live, and clears them each time it
// becomes live again (what was published meanwhile is lost). A publish that fails owes a `clear`,
// sent before the next message that goes through, so a lost invalidation is made up for as soon
// as the bus carries anything again (and by the cache's TTL in any case).

export interface CardPublisher {
  /** Sends the touches to every subscribed process; never rejects (a failure owes a clear). */
  publish(touches: CardTouches): Promise<void>;
}

export interface CardBusListener {
  touched(touches: CardTouches): void;
  /** A publisher lost messages: every entry may be stale. */
  clear(): void;
  /** The subscription is live: from now on nothing published is missed (until `down`). */
  live(): void;
  /** The subscription dropped: messages may be missed until the next `live`. */
  down(): void;
}

export interface CardBus extends CardPublisher {
  /** Subscribes, and keeps subscribing again after a drop, until the returned function is called. */
  subscribe(listener: CardBusListener): () => void;
  /** Ends the subscription and the bus's own connection (not the publishing one it was given). */
  close(): Promise<void>;
}

/** Ids per message: 100 UUIDs and their quotes stay far under PostgreSQL's 8000-byte NOTIFY payload. */
const IDS_PER_MESSAGE = 100;

type Message = { p?: string[]; u?: string[]; r?: [string, string][]; c?: 1 };

export const CLEAR_MESSAGE = JSON.stringify({ c: 1 } satisfies Message);

/** The touches as messages of at most IDS_PER_MESSAGE ids each (a pair counts two). */
export const encodeTouches = (touches: CardTouches): string[] => {
  const items: ({ k: 'p' | 'u'; id: string } | { k: 'r'; pair: [string, string] })[] = [
    ...touches.posts.map((id) => ({ k: 'p' as const, id })),
    ...touches.users.map((id) => ({ k: 'u' as const, id })),
    ...touches.pairs.map((pair) => ({ k: 'r' as const, pair })),
  ];
  const messages: string[] = [];
  let current: Required<Omit<Message, 'c'>> = { p: [], u: [], r: [] };
  let count = 0;
  const flush = () => {
    if (count > 0) messages.push(JSON.stringify(current));
    current = { p: [], u: [], r: [] };
    count = 0;
  };
  for (const item of items) {
    const cost = item.k === 'r' ? 2 : 1;
    if (count + cost > IDS_PER_MESSAGE) flush();
    if (item.k === 'r') current.r.push(item.pair);
    else current[item.k].push(item.id);
    count += cost;
  }
  flush();
  return messages;
};

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []);

/** Hands a message to the listener; anything unreadable (another version's) clears, to be safe. */
export const deliverMessage = (text: string | undefined, listener: Pick<CardBusListener, 'touched' | 'clear'>): void => {
  let message: Message;
  try {
    message = JSON.parse(text ?? '') as Message;
  } catch {
    return listener.clear();
  }
  if (typeof message !== 'object' || message === null || message.c === 1) return listener.clear();
  const pairs = Array.isArray(message.r) ? message.r.filter((pair) => strings(pair).length === 2) : [];
  listener.touched({ posts: strings(message.p), users: strings(message.u), pairs });
};

/**
 * publish() of an adapter over its `send`: a failed send owes a clear, sent first next time. The
 * report is where the failure goes (the console by default).
 */
export const owingPublisher = (send: (messages: string[]) => Promise<void>, report: (error: unknown) => void): CardPublisher['publish'] => {
  let owesClear = false;
  return async (touches) => {
    const messages = encodeTouches(touches);
    if (messages.length === 0 && !owesClear) return;
    try {
      await send(owesClear ? [CLEAR_MESSAGE, ...messages] : messages);
      owesClear = false;
    } catch (error) {
      owesClear = true;
      report(error);
    }
  };
};

export const warnOnCardBusError = (error: unknown) => console.warn('[card bus] an invalidation was not sent (a clear is owed):', error);
