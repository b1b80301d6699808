// Errors of the command layer that are not domain rules: authentication, and a backend that is
// down. The HTTP error handler maps them next to DomainError.
export class AuthenticationError extends Error {
  readonly status = 401;
  constructor(
    readonly code: 'UNAUTHORIZED' | 'INVALID_CREDENTIALS',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}
