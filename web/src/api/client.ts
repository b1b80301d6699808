import type { paths } from './schema';
import { clearSession, getSession, setSession, type Session } from '../session';

// The typed fetch client of the public HTTP API: every path, body, query and answer type comes
// from the OpenAPI document (./schema.d.ts, generated: npm run web:types), so a route's change
// shows here as a type error. What the API asks of a client (README "Sessions",
// "Idempotency", "Read-your-writes", "Rate limits"):
// - `Authorization: Bearer <accessToken>`; on 401 the refresh token is exchanged once (one
//   refresh at a time: a refresh token used twice ends the whole session) and the call repeated.
// - every POST but login carries an Idempotency-Key made once per call (or given by the caller:
//   `idempotencyKey`) and reused on each retry, so a retry after a lost answer (network error,
//   502/503/504) never does the work twice.
// - errors in the catalogue's shape {error: {code, message, details}} become ApiError with the
//   API's own message; a 429 carries Retry-After's seconds.
// - commands answer `position`; the client keeps the latest, and reads pass it as ?minPosition= so
//   that a read after one's own write sees it.

type Method = 'get' | 'post' | 'put' | 'delete';
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;
type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : R extends { 202: infer A }
        ? JsonOf<A>
        : undefined
  : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : undefined;
type PathOf<O> = O extends { parameters: { path: infer P } } ? (P extends Record<string, unknown> ? P : never) : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;

export type Answer<P extends PathsWith<M>, M extends Method> = Success<Operation<P, M>>;

interface CallOptions<O> {
  params?: PathOf<O>;
  query?: Partial<NonNullable<QueryOf<O>>>;
  body?: BodyOf<O>;
  /** Pass the latest own position as ?minPosition= (reads only). */
  fresh?: boolean;
  signal?: AbortSignal;
  /** The answer's headers (e.g. `x-degraded`: README "Redis: degraded, not down"). */
  onHeaders?: (headers: Headers) => void;
  /**
   * A POST's Idempotency-Key, for a caller whose repeat of the same request (a second click after
   * every retry's answer was lost) must get the first one's answer; by default each call makes its own.
   */
  idempotencyKey?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
    /** Seconds to wait (429's Retry-After), else null. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** What a person is shown: the API's message, and for a 429 when to try again. */
  get shown(): string {
    if (this.status === 429) return `Too many requests. Try again in ${this.retryAfterSeconds ?? 'a few'} seconds.`;
    const detail = this.details[0];
    return detail && this.code === 'VALIDATION_FAILED' ? `${detail.path ? `${detail.path}: ` : ''}${detail.message}` : this.message;
  }
}

/** Answers worth one more try with the same key: the request may not have been done, or done without its answer arriving. */
const RETRIED_STATUSES = new Set([502, 503, 504]);
const RETRY_DELAYS_MS = [400, 1200];
/** Routes that take no Idempotency-Key (README "Idempotency": login takes none). */
const UNKEYED = new Set<string>(['/api/v1/users/login', '/api/v1/auth/login/2fa', '/api/v1/auth/refresh']);

let latestPosition: string | null = null;

/** Positions sort in log order as strings (README "Read-your-writes"). */
const notePosition = (answer: unknown) => {
  const position = typeof answer === 'object' && answer !== null ? (answer as { position?: unknown }).position : undefined;
  if (typeof position === 'string' && (latestPosition === null || position > latestPosition)) latestPosition = position;
};

export const lastPosition = () => latestPosition;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const newIdempotencyKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

const urlOf = (template: string, params: Record<string, unknown> | undefined, query: Record<string, unknown> | undefined) => {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name] ?? '')));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null) search.set(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
};

const errorOf = async (response: Response): Promise<ApiError> => {
  const retryAfter = Number(response.headers.get('retry-after'));
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } } | null;
  const error = body?.error;
  return new ApiError(
    response.status,
    error?.code ?? 'HTTP_ERROR',
    error?.message ?? `${response.status} ${response.statusText}`,
    error?.details ?? [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
};

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time, whoever asks: a second use of a refresh token would end the session. */
const refreshSession = (expired: Session): Promise<boolean> => {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: expired.refreshToken }) });
      if (!response.ok) return false;
      const fresh = (await response.json()) as Session;
      setSession({ ...fresh });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
};

async function call<M extends Method, P extends PathsWith<M>>(method: M, path: P, options: CallOptions<Operation<P, M>> = {}): Promise<Answer<P, M>> {
  const query: Record<string, unknown> = { ...(options.query as Record<string, unknown> | undefined) };
  if (options.fresh && latestPosition && method === 'get') query.minPosition = latestPosition;
  const url = urlOf(path, options.params as Record<string, unknown> | undefined, query);
  const key = method === 'post' && !UNKEYED.has(path) ? (options.idempotencyKey ?? newIdempotencyKey()) : null;
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    const session = getSession();
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (session) headers.authorization = `Bearer ${session.accessToken}`;
    if (key) headers['idempotency-key'] = key;
    let response: Response;
    try {
      response = await fetch(url, { method: method.toUpperCase(), headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // A lost connection: GETs, and POSTs with their key, are safe to send again.
      if ((method === 'get' || key) && attempt < RETRY_DELAYS_MS.length) {
        await sleep(RETRY_DELAYS_MS[attempt]!);
        continue;
      }
      throw new ApiError(0, 'NETWORK', 'The connection failed. Check your network and try again.');
    }
    if (response.status === 401 && session && !refreshed && !UNKEYED.has(path)) {
      refreshed = true;
      if (await refreshSession(session)) continue;
      clearSession();
    }
    if (RETRIED_STATUSES.has(response.status) && (method === 'get' || key) && attempt < RETRY_DELAYS_MS.length) {
      await sleep(RETRY_DELAYS_MS[attempt]!);
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    options.onHeaders?.(response.headers);
    const answer = response.status === 204 ? undefined : await response.json();
    notePosition(answer);
    return answer as Answer<P, M>;
  }
}

export const api = {
  get: <P extends PathsWith<'get'>>(path: P, options?: CallOptions<Operation<P, 'get'>>) => call('get', path, options),
  post: <P extends PathsWith<'post'>>(path: P, options?: CallOptions<Operation<P, 'post'>>) => call('post', path, options),
  put: <P extends PathsWith<'put'>>(path: P, options?: CallOptions<Operation<P, 'put'>>) => call('put', path, options),
  delete: <P extends PathsWith<'delete'>>(path: P, options?: CallOptions<Operation<P, 'delete'>>) => call('delete', path, options),
};

export type Post = Answer<'/api/v1/posts/{postId}', 'get'>;
export type Media = Post['media'][number];
export type Comment = Answer<'/api/v1/posts/{postId}/comments', 'get'>['items'][number];
