// Recognises errors that mean a backend is down or unreachable (as opposed to a bad request or a
// bug), so that clients get a 503 naming the backend and the process keeps running.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention:
// shutdown, crash, cannot connect now).
const isPostgresUnavailable = (code: string) => code.startsWith('08') || code.startsWith('57P');

export const backendOf = (error: unknown): string | null => {
  if (!(error instanceof Error)) return null;
  // An adapter that knows which backend failed says so.
  const named = (error as { backend?: unknown }).backend;
  if (typeof named === 'string') return named;
  // The Elasticsearch client's and ioredis's own names for "cannot reach the server".
  if (['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError'].includes(error.name)) return 'elasticsearch';
  if (error.name === 'MaxRetriesPerRequestError' || /^Connection is closed|Stream isn't writeable/.test(error.message)) return 'redis';
  const code = (error as { code?: unknown }).code;
  // Until other backends are wired in, a bare network failure can only be PostgreSQL's.
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || isPostgresUnavailable(code))) return 'postgresql';
  if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)) return 'postgresql';
  return null;
};
