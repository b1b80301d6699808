import { api, ApiError } from './client';

// The upload flow (README "Media"): ask for a presigned PUT, PUT the bytes to it with exactly the
// headers given (the signature covers type and length), say they are there, then wait for the
// media worker to make the variants. Attaching (a post, a story, an avatar) wants a `ready` upload.

export type UploadPurpose = 'post' | 'story' | 'avatar';
export type UploadStage = 'uploading' | 'processing';

const POLL_START_MS = 250;
const POLL_MAX_MS = 2000;
/** Processing a photo takes seconds; past this the person is told to try again rather than wait on. */
const PROCESSING_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Uploads one file and answers its mediaId once processed; a refusal or rejection throws an ApiError with the API's words. */
export const uploadMedia = async (file: File, purpose: UploadPurpose, onStage?: (stage: UploadStage) => void, signal?: AbortSignal): Promise<string> => {
  onStage?.('uploading');
  const asked = await api.post('/api/v1/media/uploads', { body: { filename: file.name || 'upload', contentType: file.type, size: file.size, purpose }, signal });
  let put: Response;
  try {
    put = await fetch(asked.uploadUrl, { method: asked.method, headers: asked.headers, body: file, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK', 'The upload failed: the connection was lost. Try again.');
  }
  if (!put.ok) throw new ApiError(put.status, 'UPLOAD_FAILED', `The upload failed (${put.status}). Try again.`);
  const completed = await api.post('/api/v1/media/{mediaId}/complete', { params: { mediaId: asked.mediaId }, signal });
  onStage?.('processing');
  const started = Date.now();
  for (let wait = POLL_START_MS; ; wait = Math.min(POLL_MAX_MS, wait * 2)) {
    const media = await api.get('/api/v1/media/{mediaId}', { params: { mediaId: asked.mediaId }, query: { minPosition: completed.position }, signal });
    if (media.status === 'ready') return asked.mediaId;
    if (media.status !== 'pending' && media.status !== 'processing') {
      throw new ApiError(422, media.reason ?? 'MEDIA_REJECTED', media.message ?? `The file could not be used (${media.status}).`);
    }
    if (Date.now() - started > PROCESSING_TIMEOUT_MS) throw new ApiError(504, 'PROCESSING_TIMEOUT', 'Processing is taking too long. Try again later.');
    await sleep(wait);
  }
};
