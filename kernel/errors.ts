// The error catalogue: every code a client can receive, with its HTTP status and what it means.
// Every layer throws `AppError`s built from a code listed here; the HTTP error handler maps them;
// the README's error table is checked against this table by a test. (Skeleton: the errors work
// completes the catalogue and moves every layer onto it.)
export const errorCatalogue = {
  UNAUTHORIZED: { status: 401, description: 'No bearer token, or one that is invalid or expired.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorDetail {
  path: string;
  message: string;
  location?: string;
}

/** A refusal with a stable code from the catalogue; its status comes from the catalogue. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}
