// Recognises errors that mean a backend is down or unreachable (as opposed to a bad request or a
// bug), so that clients get a 503 naming the backend and the process keeps running.
export type Backend = 'postgresql' | 'redis' | 'elasticsearch' | 'kafka';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention:
// shutdown, crash, cannot connect now); 57014, a statement cancelled by statement_timeout, and
// 25P03, a session ended by idle_in_transaction_session_timeout (the API's pool sets both:
// app/platform.ts), are PostgreSQL not answering in time; class 53 (insufficient resources:
// 53300 too many connections, out of memory, disk full) is PostgreSQL refusing work for now.
const isPostgresUnavailable = (code: string) =>
  code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || code === '57014' || code === '25P03';

// The clients' own names for "cannot reach the server".
const ELASTICSEARCH_ERRORS = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);
const KAFKA_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
]);

// MOVED and ASK reach the caller from an auto-pipeline whose commands a slot move redirected to
// different places: ioredis follows a redirection of a pipeline only when every command met the
// same one. The slot map catches up within a refresh (app/redis-client.ts), so it is transient.
const REDIS_CLUSTER_UNAVAILABLE = /^(CLUSTERDOWN|TRYAGAIN|MOVED \d+ |ASK \d+ |Too many Cluster redirections|None of startup nodes is available|Failed to refresh slots cache|Cluster is ended)/;

// A bare socket error (Node's ECONNREFUSED and kin) names only the address it tried; its port
// tells the backend when that is the backend's usual one.
const USUAL_PORTS: Record<number, Backend> = { 5432: 'postgresql', 6379: 'redis', 9200: 'elasticsearch', 9092: 'kafka' };

export const backendOf = (error: unknown): string | null => {
  if (!(error instanceof Error)) return null;
  // An adapter that knows which backend failed says so.
  const named = (error as { backend?: unknown }).backend;
  if (typeof named === 'string') return named;
  if (ELASTICSEARCH_ERRORS.has(error.name)) return 'elasticsearch';
  if (KAFKA_ERRORS.has(error.name)) return 'kafka';
  if (error.name === 'MaxRetriesPerRequestError' || /^Connection is closed|Stream isn't writeable/.test(error.message)) return 'redis';
  // ioredis's Cluster client: retries spent through a failover, slots with no primary yet, no node reachable.
  if (error.name === 'ClusterAllFailedError' || REDIS_CLUSTER_UNAVAILABLE.test(error.message)) return 'redis';
  const { code, port } = error as { code?: unknown; port?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    // PostgreSQL is the one backend every process uses: an unknown address is most likely it.
    return (typeof port === 'number' && USUAL_PORTS[port]) || 'postgresql';
  }
  if (typeof code === 'string' && isPostgresUnavailable(code)) return 'postgresql';
  // The last: pg-pool's own, when no connection came free within connectionTimeoutMillis (a full pool).
  if (/Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(error.message)) return 'postgresql';
  return null;
};

/**
 * The status of an answer Elasticsearch gave with an error (the client's ResponseError), or null.
 * Its message is Elasticsearch's own (index and field names, parser details): never sent to a client.
 */
export const elasticsearchRefusal = (error: unknown): number | null => {
  if (!(error instanceof Error) || error.name !== 'ResponseError') return null;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : 500;
};

/**
 * PostgreSQL aborted the transaction to break a deadlock (40P01) or a serialization conflict
 * (40001): not this data's fault, and the same transaction run again succeeds. Partitioned
 * projector instances writing shared rows (a post's tag rows, an author's counters) meet it now
 * and then; PostgreSQL's own advice is to retry.
 */
export const isTransactionConflict = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};

/**
 * A failure that is a backend being away or overloaded, or a transaction conflict (not this
 * data): a projector retries it and never parks the event (docs/architecture.md "Parked events").
 */
export const isTransientBackendError = (error: unknown): boolean => {
  if (backendOf(error) !== null || isTransactionConflict(error)) return true;
  const status = (error as { statusCode?: unknown; meta?: { statusCode?: unknown } } | null)?.meta?.statusCode ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return status === 503 || status === 429;
};
