// Refusals of the read side, with the same shape as the write side's domain errors (status and
// stable code), so that one error handler answers both.
export class ReadError extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

export const notFound = (code: string, message: string) => new ReadError(404, code, message);
export const forbidden = (code: string, message: string) => new ReadError(403, code, message);
