import { createHash, hkdfSync } from 'node:crypto';
import { DATA_KEY_BYTES } from './sealed-text.js';

// The personal data key port: one data key per person, which seals that person's personal fields
// in events and the snapshots of their streams (docs/architecture.md "Personal data"). Destroying
// the key is the erasure (crypto-shredding): what it sealed reads as erased from then on,
// everywhere, replays included. Adapters pass the contract suite in
// test/integration/personal-data-key-store.contract.ts; the one today is PostgreSQL
// (key-store-postgres.ts, beside this file).

export interface PersonalDataKeyStore {
  /** The person's data key, created on first use; concurrent first uses agree on one key. */
  keyFor(personId: string): Promise<Buffer>;
  /** The keys of those people who have one, in one round trip for those not cached; a person without a key is absent. */
  keysOf(personIds: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Deletes the person's key (the row goes, it is not flagged), and forgets it in this process at
   * once; other processes stop using it within their cache's TTL. True when there was a key.
   */
  destroy(personId: string): Promise<boolean>;
}

/**
 * How long a process keeps a data key it read before asking again: the longest a process other
 * than the one that destroyed a key may still open what it sealed. The erasure that follows a
 * destroy (scrubbing the read models) waits at least this long, so that no projector writes
 * opened text back after it.
 */
export const KEY_CACHE_TTL_MS = 30_000;

/** The key that wraps every data key, derived from the configured secret (PERSONAL_DATA_KEY or the kept file). */
export interface MasterKey {
  key: Buffer;
  /** Names the master key without revealing it, stored beside each wrapped key: a wrong master key is told apart from damage. */
  id: string;
}

export const masterKeyOf = (secret: string): MasterKey => {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'instagram-es personal data master key v1', DATA_KEY_BYTES));
  return { key, id: createHash('sha256').update(key).digest('base64url').slice(0, 16) };
};

/** The master key configured does not unwrap the stored data keys: the setting changed, or the key file was replaced. */
export class WrongMasterKeyError extends Error {
  constructor(storedId: string, configuredId: string) {
    super(`personal data keys are wrapped by master key ${storedId}, but PERSONAL_DATA_KEY (or DATA_DIR/personal-data-key) gives ${configuredId}`);
    this.name = 'WrongMasterKeyError';
  }
}
