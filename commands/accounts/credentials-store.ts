// Credentials live outside the event log: a password hash is a secret and an email is personal
// data that no read model needs. The port, and its PostgreSQL adapter beside it.
export interface Credentials {
  userId: string;
  username: string;
  email: string;
  passwordHash: string;
}

/** Credentials as stored: with whether the email was verified (a link of account-mail.ts followed). */
export interface StoredCredentials extends Credentials {
  emailVerified: boolean;
}

export interface CredentialsStore {
  /** Stores new credentials (email unverified); returns 'email_taken' or 'username_taken' instead of throwing. */
  insert(credentials: Credentials): Promise<'ok' | 'email_taken' | 'username_taken'>;
  /** By username or email, both compared lowercased (an email holds "@", which no username does). */
  findByLogin(login: string): Promise<StoredCredentials | null>;
  findById(userId: string): Promise<StoredCredentials | null>;
  /** Replaces the password hash (a change, a reset, or a rehash at new parameters). */
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  markEmailVerified(userId: string): Promise<void>;
}

/** The adapter's part the erasure worker uses (workers/erasure/): the account's row goes, freeing its email and username. */
export interface ErasableCredentialsStore extends CredentialsStore {
  erase(userId: string): Promise<void>;
}
