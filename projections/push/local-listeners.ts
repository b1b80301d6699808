import type { PushMessage, Unsubscribe } from './push-bus.js';

// The streams of this process, by user. A bus subscribes on its server once per user however many
// streams (tabs, devices) the user has open here, and unsubscribes when the last one goes.

type Listener = (message: PushMessage) => void;

export interface LocalListeners {
  /** Adds a listener; `firstOfUser` runs (and is awaited) when it is the user's first. */
  add(userId: string, listener: Listener): Promise<Unsubscribe>;
  /** Hands a message to the user's listeners; a throwing listener does not stop the others. */
  deliver(userId: string, message: PushMessage): void;
  has(userId: string): boolean;
  /** How many users have listeners here. */
  users(): number;
  clear(): void;
}

export interface ListenerHooks {
  /** Makes the user's subscription live on the server. */
  firstOfUser(userId: string): Promise<void>;
  /** The user's last listener left. */
  lastOfUser(userId: string): void;
}

export const createLocalListeners = ({ firstOfUser, lastOfUser }: ListenerHooks): LocalListeners => {
  const byUser = new Map<string, { listeners: Set<Listener>; live: Promise<void> }>();

  const remove = (userId: string, listener: Listener) => {
    const entry = byUser.get(userId);
    if (!entry?.listeners.delete(listener) || entry.listeners.size > 0) return;
    byUser.delete(userId);
    lastOfUser(userId);
  };

  return {
    async add(userId, listener) {
      let entry = byUser.get(userId);
      if (!entry) {
        entry = { listeners: new Set(), live: firstOfUser(userId) };
        byUser.set(userId, entry);
      }
      entry.listeners.add(listener);
      try {
        // Later streams of the user wait for the first one's subscription too.
        await entry.live;
      } catch (error) {
        remove(userId, listener);
        throw error;
      }
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        remove(userId, listener);
      };
    },
    deliver(userId, message) {
      for (const listener of byUser.get(userId)?.listeners ?? []) {
        try {
          listener(message);
        } catch {
          // One broken stream must not starve the user's other streams.
        }
      }
    },
    has: (userId) => byUser.has(userId),
    users: () => byUser.size,
    clear: () => byUser.clear(),
  };
};
