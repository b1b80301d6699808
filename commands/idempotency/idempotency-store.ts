// Idempotency-Key support: the first request with a key claims it; its response is stored and
// replayed to every repeat with the same key and body. The port, and its PostgreSQL adapter beside it.
export interface StoredResponse {
  statusCode: number;
  body: string;
}

export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: StoredResponse }
  /** The key was used before with a different request. */
  | { outcome: 'mismatch' }
  /** A request with this key is still being handled. */
  | { outcome: 'in_progress' };

export interface IdempotencyStore {
  /** `scope` keeps one caller's keys apart from another's; `fingerprint` identifies the request. */
  claim(scope: string, key: string, fingerprint: string): Promise<Claim>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives the key back after a failure that the client may retry (a 5xx). */
  release(scope: string, key: string): Promise<void>;
}
