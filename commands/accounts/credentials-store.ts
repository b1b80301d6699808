// Credentials live outside the event log: a password hash is a secret and an email is personal
// data that no read model needs. The port, and its PostgreSQL adapter beside it.
export interface Credentials {
  userId: string;
  username: string;
  email: string;
  passwordHash: string;
}

export interface CredentialsStore {
  /** Stores new credentials; returns 'email_taken' or 'username_taken' instead of throwing. */
  insert(credentials: Credentials): Promise<'ok' | 'email_taken' | 'username_taken'>;
  emailTaken(email: string): Promise<boolean>;
  /** By username or email, both compared lowercased. */
  findByLogin(login: string): Promise<Credentials | null>;
}
