import type { Revocation } from './session-store.js';

/**
 * The revoked sessions this process knows of, each kept until the last access token it issued has
 * expired (revokedAt + the access token TTL): after that its tokens are refused as expired anyway.
 * The hot path's check (`has`) is a Map lookup. Fed by this process's own revocations at once and
 * by every process's through the session store's channel; pruned as it is fed.
 */
export interface RevocationList {
  add(revocation: Revocation): void;
  has(sessionId: string): boolean;
  /** Called with the session id of every revocation added, once (streams close on it). */
  onRevoked(sessionId: string, listener: () => void): () => void;
  size(): number;
}

export const createRevocationList = (accessTokenTtlMs: number, now: () => number = Date.now): RevocationList => {
  const until = new Map<string, number>();
  const listeners = new Map<string, Set<() => void>>();
  let nextPrune = 0;
  const prune = () => {
    const at = now();
    if (at < nextPrune) return;
    nextPrune = at + 60_000;
    for (const [sessionId, expiry] of until) if (expiry <= at) until.delete(sessionId);
  };
  return {
    add({ sessionId, revokedAt }) {
      prune();
      const expiry = revokedAt.getTime() + accessTokenTtlMs;
      if (expiry > now()) until.set(sessionId, Math.max(expiry, until.get(sessionId) ?? 0));
      const waiting = listeners.get(sessionId);
      listeners.delete(sessionId);
      for (const listener of waiting ?? []) listener();
    },
    has: (sessionId) => until.has(sessionId),
    onRevoked(sessionId, listener) {
      const set = listeners.get(sessionId) ?? new Set();
      set.add(listener);
      listeners.set(sessionId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(sessionId) === set) listeners.delete(sessionId);
      };
    },
    size: () => until.size,
  };
};
