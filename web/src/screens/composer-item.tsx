import { useState } from 'preact/hooks';
import type { Media } from '../api/client';
import type { MediaAnswer, UploadState } from '../api/upload';
import { MediaView, TagLabel } from '../components/media-view';
import { ErrorMessage } from '../components/status';
import { UsernameField } from './composer-fields';

// One picked file in the composer: its preview in a box of its own aspect ratio (the browser's
// own decoding of the local file until the API has processed it, then the API's variants), its
// upload's progress bar and state, and the buttons to move or remove it. On a ready photo a click
// (or Enter on the same control, which puts the tag in the middle) starts a tag at that point.

export interface Tag {
  username: string;
  x: number;
  y: number;
}

export interface Item {
  key: string;
  file: File;
  kind: 'image' | 'video';
  /** An object URL of the local file, revoked when the item goes. */
  preview: string;
  /** Width / height of the local file once the browser has read it. */
  aspect?: number;
  state: UploadState;
  tags: Tag[];
}

/** kernel/limits.ts MAX_TAGS_PER_MEDIA. */
const MAX_TAGS = 20;

const mediaOf = (answer: MediaAnswer): Media => ({
  mediaId: answer.id,
  type: answer.type ?? 'image',
  url: answer.url ?? '',
  ...(answer.width !== undefined && { width: answer.width }),
  ...(answer.height !== undefined && { height: answer.height }),
  ...(answer.blurhash !== undefined && { blurhash: answer.blurhash }),
  ...(answer.dominantColor !== undefined && { dominantColor: answer.dominantColor }),
  ...(answer.variants !== undefined && { variants: answer.variants }),
});

const Status = ({ state, name, onRetry }: { state: UploadState; name: string; onRetry: () => void }) => {
  const uploaded = state.phase === 'uploading' ? state.loaded : 1;
  const total = state.phase === 'uploading' ? Math.max(1, state.total) : 1;
  // The phase is announced (a live region); the percentage is the bar's, not read at each step.
  const words =
    state.phase === 'uploading'
      ? 'Uploading…'
      : state.phase === 'processing'
        ? 'Processing…'
        : state.phase === 'ready'
          ? 'Ready'
          : state.phase === 'rejected'
            ? 'Rejected'
            : 'Upload failed';
  return (
    <div class="upload-status" data-phase={state.phase}>
      {(state.phase === 'uploading' || state.phase === 'processing' || state.phase === 'ready') && <progress max={total} value={uploaded} aria-label={`Upload of ${name}`} />}
      <p class="upload-words" role="status">
        {state.phase === 'processing' && <span class="spinner" aria-hidden="true" />}
        {words}
        {state.phase === 'uploading' && <span aria-hidden="true"> {Math.floor((uploaded / total) * 100)}%</span>}
      </p>
      {state.phase === 'rejected' && (
        <p class="error" role="alert">
          {state.message}
        </p>
      )}
      {state.phase === 'failed' && <ErrorMessage error={state.error} onRetry={onRetry} />}
    </div>
  );
};

const LocalPreview = ({ item, label, onAspect }: { item: Item; label: string; onAspect: (aspect: number) => void }) => (
  <div class="media local" style={{ aspectRatio: String(item.aspect ?? 1) }}>
    {item.kind === 'video' ? (
      <video src={item.preview} muted playsInline preload="metadata" aria-label={label} onLoadedMetadata={(event) => {
        const video = event.currentTarget as HTMLVideoElement;
        if (video.videoWidth > 0) onAspect(video.videoWidth / video.videoHeight);
      }} />
    ) : (
      <img src={item.preview} alt={label} onLoad={(event) => {
        const image = event.currentTarget as HTMLImageElement;
        if (image.naturalWidth > 0) onAspect(image.naturalWidth / image.naturalHeight);
      }} />
    )}
  </div>
);

const clamp = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;

const Tagging = ({ item, media, label, onTags }: { item: Item; media: Media; label: string; onTags: (tags: Tag[]) => void }) => {
  const [point, setPoint] = useState<{ x: number; y: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const place = (event: MouseEvent) => {
    setNotice(null);
    if (item.tags.length >= MAX_TAGS) return setNotice(`At most ${MAX_TAGS} people can be tagged on one photo.`);
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    // A keyboard press is a click at no point (detail 0): the tag goes in the middle.
    setPoint(event.detail === 0 ? { x: 0.5, y: 0.5 } : { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) });
  };
  const add = (username: string) => {
    if (!point) return;
    if (item.tags.some((tag) => tag.username.toLowerCase() === username.toLowerCase())) {
      setNotice(`@${username} is already tagged on this photo.`);
    } else onTags([...item.tags, { username, ...point }]);
    setPoint(null);
  };
  return (
    <>
      <div class="tag-area">
        <MediaView media={media} alt={label} eager />
        <button type="button" class="tag-target" aria-label={`Tag someone on ${label}`} title="Click where the person is to tag them" onClick={place} />
        {item.tags.length > 0 && (
          <ul class="tag-labels editable" aria-label={`People tagged on ${label}`}>
            {item.tags.map((tag) => (
              <li key={tag.username}>
                <TagLabel tag={tag}>
                  <button type="button" class="tag-remove" aria-label={`Remove tag @${tag.username}`} onClick={() => onTags(item.tags.filter((other) => other !== tag))}>
                    <span aria-hidden="true">×</span>
                  </button>
                </TagLabel>
              </li>
            ))}
          </ul>
        )}
        {point && <span class="tag-point" aria-hidden="true" style={{ left: `${point.x * 100}%`, top: `${point.y * 100}%` }} />}
      </div>
      {point && <UsernameField key={`${point.x},${point.y}`} id={`tag-${item.key}`} label="Who is this?" onPick={add} onCancel={() => setPoint(null)} />}
      {notice && (
        <p class="field-hint" role="status">
          {notice}
        </p>
      )}
    </>
  );
};

export const ComposerItem = ({
  item,
  index,
  count,
  onMove,
  onRemove,
  onRetry,
  onAspect,
  onTags,
}: {
  item: Item;
  index: number;
  count: number;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  onRetry: () => void;
  onAspect: (aspect: number) => void;
  onTags: (tags: Tag[]) => void;
}) => {
  const label = `${item.kind === 'video' ? 'Video' : 'Photo'} ${index + 1}: ${item.file.name}`;
  const ready = item.state.phase === 'ready' ? mediaOf(item.state.media) : null;
  return (
    <li class="composer-item" aria-label={label} data-phase={item.state.phase}>
      {ready && ready.type === 'image' ? <Tagging item={item} media={ready} label={label} onTags={onTags} /> : ready ? <MediaView media={ready} alt={label} eager /> : <LocalPreview item={item} label={label} onAspect={onAspect} />}
      <Status state={item.state} name={item.file.name} onRetry={onRetry} />
      <div class="composer-item-actions">
        <button type="button" id={`${item.key}-earlier`} aria-label={`Move ${item.file.name} earlier`} disabled={index === 0} onClick={() => onMove(-1)}>
          <span aria-hidden="true">↑</span>
        </button>
        <button type="button" id={`${item.key}-later`} aria-label={`Move ${item.file.name} later`} disabled={index === count - 1} onClick={() => onMove(1)}>
          <span aria-hidden="true">↓</span>
        </button>
        <button type="button" class="danger" onClick={onRemove} aria-label={`Remove ${item.file.name}`}>
          Remove
        </button>
      </div>
    </li>
  );
};
