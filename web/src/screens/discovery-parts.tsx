import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client';
import { ErrorMessage } from '../components/status';

// What the discovery pages share: the head of a hashtag's or a place's page, and the page of a
// subject (a place, a collection) that could not be read.

/** A round mark, the title and its count of posts, then whatever the page adds (a follow button). */
export const DiscoveryHead = ({ mark, titleId, title, count, children }: { mark: ComponentChildren; titleId: string; title: string; count: string | null; children?: ComponentChildren }) => (
  <div class="discovery-head">
    <span class="tag-mark" aria-hidden="true">
      {mark}
    </span>
    <div>
      <h1 id={titleId} class="page-title">
        {title}
      </h1>
      {count !== null && <p class="muted">{count}</p>}
      {children}
    </div>
  </div>
);

/** The API's 404 says the subject is gone (nothing to retry); any other failure offers a retry. */
export const NotLoaded = ({ what, error, onRetry, children }: { what: 'Place' | 'Collection'; error: unknown; onRetry: () => void; children?: ComponentChildren }) => {
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <main class="discovery">
      {children}
      <h1 class="page-title">{gone ? `${what} not found` : `This ${what.toLowerCase()} could not be loaded`}</h1>
      <ErrorMessage error={error} onRetry={gone ? undefined : onRetry} />
    </main>
  );
};
