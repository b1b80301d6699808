import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { uploadFile, type UploadState } from '../api/upload';
import { ErrorMessage } from './status';

// "Add story": one photo or video picked, uploaded and processed (api/upload.ts), then made a
// story (POST /api/v1/stories). The stage is said in a live region; a refusal or a rejected file
// shows the API's words. The file input is the control itself (visually a "+" badge on one's
// avatar), so the keyboard and the test reach it by its label.

type State = { step: 'idle' } | { stage: 'uploading'; fraction: number } | { stage: 'processing' } | { stage: 'posting' } | { stage: 'done' };

const said = (state: State) => {
  if (!('stage' in state)) return '';
  switch (state.stage) {
    case 'uploading':
      return `Uploading your story… ${Math.round(state.fraction * 100)}%`;
    case 'processing':
      return 'Processing your story…';
    case 'posting':
      return 'Posting your story…';
    case 'done':
      return 'Your story is posted.';
  }
};

/** The upload-and-post steps of one story, shared by the tray's "+" control and its status line. */
export const useAddStory = (onPosted: () => void) => {
  const [state, setState] = useState<State>({ step: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const busy = 'stage' in state && state.stage !== 'done';

  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file || busy) return;
    setError(null);
    try {
      let last: UploadState | undefined;
      await uploadFile(
        file,
        (upload) => {
          last = upload;
          if (upload.phase === 'uploading') setState({ stage: 'uploading', fraction: upload.total > 0 ? upload.loaded / upload.total : 0 });
          else if (upload.phase === 'processing') setState({ stage: 'processing' });
        },
        new AbortController().signal,
        'story',
      );
      const done = last as UploadState | undefined;
      if (done?.phase === 'rejected') throw new ApiError(422, 'MEDIA_REJECTED', done.message);
      if (done?.phase === 'failed') throw done.error;
      if (done?.phase !== 'ready') throw new ApiError(0, 'NETWORK', 'The upload failed. Check your network and try again.');
      const mediaId = done.media.id;
      setState({ stage: 'posting' });
      await api.post('/api/v1/stories', { body: { media: { mediaId } } });
      setState({ stage: 'done' });
      onPosted();
    } catch (failure) {
      setState({ step: 'idle' });
      setError(failure);
    } finally {
      // The same file may be picked again after a failure.
      input.value = '';
    }
  };
  return { state, error, busy, pick };
};

type AddStoryState = ReturnType<typeof useAddStory>;

export const AddStoryInput = ({ add }: { add: AddStoryState }) => (
  <label class="add-story" data-busy={String(add.busy)}>
    <input
      type="file"
      class="visually-hidden"
      accept="image/jpeg,image/png,image/webp,image/gif,image/avif,image/heic,image/heif,video/mp4,video/quicktime,video/webm"
      aria-label="Add story"
      disabled={add.busy}
      onChange={(event) => void add.pick(event.currentTarget as HTMLInputElement)}
    />
    <span aria-hidden="true">+</span>
  </label>
);

export const AddStoryStatus = ({ add }: { add: AddStoryState }) => (
  <div class="add-story-status">
    <p role="status">
      {add.busy && <span class="spinner" aria-hidden="true" />}
      {said(add.state)}
    </p>
    {'stage' in add.state && add.state.stage === 'uploading' && <progress class="add-story-progress" max={1} value={add.state.fraction} aria-label="Story upload" />}
    {add.error !== null && <ErrorMessage error={add.error} />}
  </div>
);
