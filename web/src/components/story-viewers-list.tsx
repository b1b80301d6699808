import { useEffect, useState } from 'preact/hooks';
import { api, type Answer } from '../api/client';
import { ErrorMessage, Loading } from './status';
import { Avatar } from './avatar';
import { ago } from './stories-model';

// Who has seen one's own story (GET /api/v1/stories/{storyId}/viewers: the author only), latest
// first as the API pages them, with "More viewers" while there is a next page.

type Viewer = Answer<'/api/v1/stories/{storyId}/viewers', 'get'>['items'][number];

export const StoryViewersList = ({ storyId, onClose }: { storyId: string; onClose: () => void }) => {
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = async (from: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get('/api/v1/stories/{storyId}/viewers', { params: { storyId }, query: from ? { cursor: from } : {}, fresh: from === null });
      setViewers((shown) => [...(from ? shown : []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), [storyId]);

  return (
    <section class="story-panel story-viewers" aria-labelledby="story-viewers-title">
      <h2 id="story-viewers-title">Viewers</h2>
      <button type="button" class="story-panel-close" aria-label="Close viewers" onClick={onClose}>
        ×
      </button>
      {viewers.length > 0 && (
        <ul>
          {viewers.map(({ user, viewedAt }) => (
            <li key={user.id}>
              <Avatar avatar={user.avatar ?? null} name={user.displayName || user.username} size={32} />
              <a class="story-viewer-name" href={`/u/${user.username}`}>
                {user.username}
              </a>
              <time dateTime={viewedAt}>{ago(viewedAt)}</time>
            </li>
          ))}
        </ul>
      )}
      {loading && <Loading label="Loading viewers…" />}
      {!loading && error === null && viewers.length === 0 && <p class="empty">No viewers yet.</p>}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load(viewers.length === 0 ? null : cursor)} />}
      {!loading && error === null && cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          More viewers
        </button>
      )}
    </section>
  );
};
