// Idempotency-Key support: the first request with a key claims it; its response is stored and
// replayed to every repeat with the same key and body. The port, and its PostgreSQL adapter beside it.
export interface StoredResponse {
  statusCode: number;
  body: string;
}

export type Claim =
  /** `token` names this claim: only its holder completes or releases the key (a takeover makes a new one). */
  | { outcome: 'claimed'; token: string }
  | { outcome: 'replay'; response: StoredResponse }
  /** The key was used before with a different request. */
  | { outcome: 'mismatch' }
  /** A request with this key is still being handled. */
  | { outcome: 'in_progress' };

export interface IdempotencyStore {
  /** `scope` keeps one caller's keys apart from another's; `fingerprint` identifies the request. */
  claim(scope: string, key: string, fingerprint: string): Promise<Claim>;
  /**
   * Records the answer, if `token` still holds the claim: a request whose claim was taken over
   * (it ran past the abandon time) records nothing, so the answer kept is the one its successor gave.
   */
  complete(scope: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /**
   * Gives the key back after a failure that the client may retry (a 5xx), if `token` still holds
   * the claim. The key stays bound to its request: a retry with the same body claims it at once,
   * another body is still a mismatch (the entity ids a key derives are the first request's).
   */
  release(scope: string, key: string, token: string): Promise<void>;
}

/** The adapter's part the erasure worker uses (workers/erasure/): every key of a caller (scope: the user id) and the answers kept for them go. */
export interface ErasableIdempotencyStore extends IdempotencyStore {
  erase(scope: string): Promise<void>;
}
