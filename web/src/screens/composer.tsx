import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../api/client';
import { uploadFile, type UploadState } from '../api/upload';
import { navigate } from '../router';
import { CaptionField, LocationField, type Place } from './composer-fields';
import { ComposerItem, type Item, type Tag } from './composer-item';
import './composer.css';

// The composer (/new): up to 10 photos or videos, each uploaded the moment it is picked (README
// "Media": presigned upload, complete, processed by the worker), a caption with hashtag and
// mention suggestions, an optional place, people tagged on the photos; Share sends
// POST /api/v1/posts and opens the new post. Share waits until every file is ready: the API
// refuses media still processing (422 MEDIA_NOT_READY).

/** kernel/limits.ts MAX_MEDIA_PER_POST. */
const MAX_ITEMS = 10;

let nextKey = 0;

const ShareError = ({ error }: { error: unknown }) => {
  const details = error instanceof ApiError ? error.details : [];
  // ApiError.shown names the first field of a validation failure; a refusal of a tag (404 naming
  // media.0.tags.0.username) or a second field is listed here.
  const listed = error instanceof ApiError && error.code === 'VALIDATION_FAILED' ? details.slice(1) : details;
  return (
    <div class="error" role="alert">
      <p>{error instanceof ApiError ? error.shown : 'Something went wrong.'}</p>
      {listed.length > 0 && (
        <ul>
          {listed.map((detail, at) => (
            <li key={at}>
              <code>{detail.path}</code>: {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
};

export const ComposerScreen = () => {
  const [items, setItems] = useState<Item[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [caption, setCaption] = useState('');
  const [place, setPlace] = useState<Place>({ name: '' });
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const uploads = useRef(new Map<string, AbortController>());
  /** One Idempotency-Key per draft: a Share repeated after its answer was lost gets the first post, not 422 MEDIA_ALREADY_ATTACHED; a changed draft is a new request (the API refuses a key reused with another body). */
  const draft = useRef<{ body: string; key: string } | null>(null);
  const previews = useRef(new Set<string>());

  // Leaving the screen stops the uploads still running and frees the previews (an upload never
  // attached is swept by the API after its expiry).
  useEffect(
    () => () => {
      for (const controller of uploads.current.values()) controller.abort();
      for (const url of previews.current) URL.revokeObjectURL(url);
    },
    [],
  );

  const update = (key: string, change: Partial<Item>) => setItems((shown) => shown.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const pick = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    setNotice(null);
    if (files.length === 0) return;
    const refused = files.filter((file) => !/^(image|video)\//.test(file.type) && !/\.(heic|heif|mov)$/i.test(file.name));
    if (refused.length > 0) return setNotice(`Only photos and videos can be posted: ${refused.map((file) => file.name).join(', ')} ${refused.length === 1 ? 'is not one' : 'are not'}.`);
    const room = MAX_ITEMS - items.length;
    if (files.length > room) {
      return setNotice(
        `A post holds at most ${MAX_ITEMS} photos or videos: you picked ${files.length}, and there is room for ${room === 0 ? 'no more' : room}. Pick fewer.`,
      );
    }
    const added = files.map((file): Item => {
      const preview = URL.createObjectURL(file);
      previews.current.add(preview);
      return { key: `item-${nextKey++}`, file, kind: file.type.startsWith('video/') || /\.mov$/i.test(file.name) ? 'video' : 'image', preview, state: { phase: 'uploading', loaded: 0, total: file.size }, tags: [] };
    });
    setItems((shown) => [...shown, ...added]);
    for (const item of added) start(item);
  };

  const start = (item: Item) => {
    const controller = new AbortController();
    uploads.current.set(item.key, controller);
    uploadFile(item.file, (state: UploadState) => update(item.key, { state }), controller.signal)
      .catch(() => undefined) // aborted: the item is gone
      .finally(() => uploads.current.get(item.key) === controller && uploads.current.delete(item.key));
  };

  const remove = (item: Item) => {
    uploads.current.get(item.key)?.abort();
    URL.revokeObjectURL(item.preview);
    previews.current.delete(item.preview);
    setItems((shown) => shown.filter((other) => other.key !== item.key));
    // The focused button went with its item: the picker is where one goes on from.
    document.getElementById('composer-files')?.focus();
  };

  const move = (item: Item, by: -1 | 1) => {
    setItems((shown) => {
      const index = shown.findIndex((other) => other.key === item.key);
      const to = index + by;
      if (index < 0 || to < 0 || to >= shown.length) return shown;
      const next = [...shown];
      [next[index], next[to]] = [next[to]!, next[index]!];
      return next;
    });
    // Moving an element out of the page's order drops its focus: it goes back to the button, or to
    // the other one once the item is at an end.
    requestAnimationFrame(() => {
      const same = document.getElementById(`${item.key}-${by < 0 ? 'earlier' : 'later'}`) as HTMLButtonElement | null;
      (same && !same.disabled ? same : document.getElementById(`${item.key}-${by < 0 ? 'later' : 'earlier'}`))?.focus();
    });
  };

  const waiting = items.some((item) => item.state.phase === 'uploading' || item.state.phase === 'processing');
  const broken = items.some((item) => item.state.phase === 'rejected' || item.state.phase === 'failed');
  const canShare = items.length > 0 && !waiting && !broken && !sharing;

  const share = async (event: Event) => {
    event.preventDefault();
    if (!canShare) return;
    setSharing(true);
    setError(null);
    try {
      const name = place.name.trim();
      const body = {
        caption,
        media: items.map((item) => ({
          mediaId: item.state.phase === 'ready' ? item.state.media.id : '',
          ...(item.tags.length > 0 && { tags: item.tags.map(({ username, x, y }: Tag) => ({ username, x, y })) }),
        })),
        ...(name && { location: { ...place, name } }),
      };
      const text = JSON.stringify(body);
      if (draft.current?.body !== text) draft.current = { body: text, key: newIdempotencyKey() };
      const answer = await api.post('/api/v1/posts', { body, idempotencyKey: draft.current.key });
      // The post page reads with this post's position (api/client.ts `fresh`), so it finds it.
      navigate(`/p/${answer.postId}`);
    } catch (failure) {
      setError(failure);
      setSharing(false);
    }
  };

  return (
    <main class="composer" aria-labelledby="composer-title">
      <h1 id="composer-title">New post</h1>
      <form onSubmit={share}>
        <div class="field picker">
          <label for="composer-files">Add photos or videos</label>
          <input id="composer-files" type="file" accept="image/*,video/*,.heic,.heif,.mov" multiple onChange={pick} disabled={items.length >= MAX_ITEMS} aria-describedby="composer-files-hint" />
          <p id="composer-files-hint" class="field-hint">
            {items.length} of {MAX_ITEMS}. JPEG, PNG, WebP, GIF, AVIF or HEIC photos (up to 16 MB); MP4, MOV or WebM videos (up to 100 MB, 90 seconds).
          </p>
        </div>
        {notice && (
          <p class="error" role="alert">
            {notice}
          </p>
        )}
        {items.length === 0 ? (
          <p class="empty">Pick the photos and videos of your post. Each is uploaded as soon as it is picked.</p>
        ) : (
          <ol class="composer-items" aria-label="Photos and videos">
            {items.map((item, index) => (
              <ComposerItem
                key={item.key}
                item={item}
                index={index}
                count={items.length}
                onMove={(by) => move(item, by)}
                onRemove={() => remove(item)}
                onRetry={() => start(item)}
                onAspect={(aspect) => update(item.key, { aspect })}
                onTags={(tags) => update(item.key, { tags })}
              />
            ))}
          </ol>
        )}
        <CaptionField value={caption} onChange={setCaption} />
        <LocationField value={place} onChange={setPlace} />
        {error !== null && <ShareError error={error} />}
        <p class="composer-share">
          <button type="submit" class="primary" disabled={!canShare} aria-describedby="share-hint">
            {sharing ? 'Sharing…' : 'Share'}
          </button>
          <span id="share-hint" class="field-hint">
            {items.length === 0 ? 'Add a photo or video first.' : waiting ? 'Waiting for the uploads to finish…' : broken ? 'Remove the files that failed to share.' : ''}
          </span>
        </p>
      </form>
    </main>
  );
};
