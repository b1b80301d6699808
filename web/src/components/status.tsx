import { ApiError } from '../api/client';

/** An error as a person reads it: the API's own message (a 429 with its wait), with a retry when one is offered. */
export const ErrorMessage = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => (
  <div class="error" role="alert">
    <p>{error instanceof ApiError ? error.shown : 'Something went wrong.'}</p>
    {onRetry && (
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    )}
  </div>
);

export const Loading = ({ label = 'Loading…' }: { label?: string }) => (
  <p class="loading" role="status">
    <span class="spinner" aria-hidden="true" />
    {label}
  </p>
);
