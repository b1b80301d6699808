// Domain errors carry an HTTP-like status and a stable code, so that the command API maps them
// to responses without knowing each rule.
export type DomainErrorStatus = 400 | 403 | 404 | 409 | 422;

export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly status: DomainErrorStatus,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Input that breaks a field-level rule (e.g. a caption with 31 hashtags). */
export const invalid = (code: string, message: string, details: FieldIssue[] = []) => new DomainError(400, code, message, details);
/** The actor may not do this (someone else's post, a blocked user). */
export const forbidden = (code: string, message: string) => new DomainError(403, code, message);
export const notFound = (code: string, message: string) => new DomainError(404, code, message);
/** Uniqueness taken (a username). */
export const conflict = (code: string, message: string) => new DomainError(409, code, message);
/** A domain rule broken by a well-formed command (liking a deleted post, following yourself). */
export const ruleBroken = (code: string, message: string) => new DomainError(422, code, message);
