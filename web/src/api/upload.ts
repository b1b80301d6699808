import { api, ApiError } from './client';

// The upload flow (README "Media"): ask for a presigned PUT, PUT the bytes to it with exactly the
// headers given (the signature covers type and length), say they are there, then wait for the
// media worker to make the variants. Attaching (a post, a story, an avatar) wants a `ready` upload.
// The PUT goes by XMLHttpRequest, the one browser API that reports upload progress; the first poll
// passes complete's position, so the media read model already has the completion.

export type UploadPurpose = 'post' | 'story' | 'avatar';
/** `processing` from the moment the bytes are stored: completing is the start of the processing. */
export type UploadStage = 'uploading' | 'processing';

const POLL_START_MS = 250;
const POLL_MAX_MS = 2000;
/** Processing a photo takes seconds; past this the person is told to try again rather than wait on. */
const PROCESSING_TIMEOUT_MS = 120_000;
/** Headers a browser sets itself and refuses (with a console error) to be given. */
const BROWSER_SET = new Set(['content-length', 'host', 'connection']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const put = (url: string, method: string, headers: Record<string, string>, file: File, onProgress?: (fraction: number) => void, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) if (!BROWSER_SET.has(name.toLowerCase())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress?.(event.loaded / event.total);
    request.onload = () => (request.status < 300 ? resolve() : reject(new ApiError(request.status, 'UPLOAD_FAILED', `The upload failed (${request.status}). Try again.`)));
    request.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed: the connection was lost. Try again.'));
    request.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });

/** Uploads one file and answers its mediaId once processed; a refusal or rejection throws an ApiError with the API's words. */
export const uploadMedia = async (
  file: File,
  purpose: UploadPurpose,
  onStage?: (stage: UploadStage) => void,
  signal?: AbortSignal,
  /** The share of the bytes sent, 0 to 1, while uploading. */
  onProgress?: (fraction: number) => void,
): Promise<string> => {
  onStage?.('uploading');
  onProgress?.(0);
  const asked = await api.post('/api/v1/media/uploads', { body: { filename: file.name.slice(0, 255) || 'upload', contentType: file.type, size: file.size, purpose }, signal });
  await put(asked.uploadUrl, asked.method, asked.headers, file, onProgress, signal);
  onStage?.('processing');
  const completed = await api.post('/api/v1/media/{mediaId}/complete', { params: { mediaId: asked.mediaId }, signal });
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
