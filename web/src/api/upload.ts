import { api, ApiError } from './client';

// One photo or video through the upload flow (README "Media"): ask for a signed URL, PUT the
// bytes straight to the storage (XMLHttpRequest, for its upload progress), say it is there, then
// poll until the worker has processed it. The first poll passes complete's position, so the
// media read model already has the completion (read-your-writes).

export type UploadPurpose = 'post' | 'story' | 'avatar';

export type UploadStage = { stage: 'uploading'; fraction: number } | { stage: 'processing' };

const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif', 'video/mp4', 'video/quicktime', 'video/webm']);
/** Headers a browser sets itself and refuses (with a console error) to be given. */
const BROWSER_SET = new Set(['content-length', 'host', 'connection']);
const POLL_MS = 500;
const POLL_LIMIT_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const put = (url: string, headers: Record<string, string>, file: File, onFraction: (fraction: number) => void, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) if (!BROWSER_SET.has(name.toLowerCase())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onFraction(event.loaded / event.total);
    request.onload = () =>
      request.status < 300 ? resolve() : reject(new ApiError(request.status, 'UPLOAD_FAILED', `The upload was refused (${request.status}). Try again.`));
    request.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed. Check your network and try again.'));
    request.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });

/** The file's mediaId once it is ready; an ApiError with the API's words on any refusal or rejection. */
export const uploadMedia = async (file: File, { purpose = 'post', onStage, signal }: { purpose?: UploadPurpose; onStage?: (stage: UploadStage) => void; signal?: AbortSignal } = {}) => {
  // Browsers name some types differently (or not at all); the API sniffs the bytes anyway.
  const contentType = file.type === 'image/jpg' ? 'image/jpeg' : file.type;
  if (!ACCEPTED.has(contentType)) throw new ApiError(400, 'MEDIA_UNSUPPORTED', 'Pick a photo (JPEG, PNG, WebP, GIF, AVIF, HEIC) or a video (MP4, MOV, WebM).');
  onStage?.({ stage: 'uploading', fraction: 0 });
  const asked = await api.post('/api/v1/media/uploads', { body: { filename: file.name.slice(0, 255) || 'upload', contentType, size: file.size, purpose }, signal });
  await put(asked.uploadUrl, asked.headers, file, (fraction) => onStage?.({ stage: 'uploading', fraction }), signal);
  onStage?.({ stage: 'processing' });
  const completed = await api.post('/api/v1/media/{mediaId}/complete', { params: { mediaId: asked.mediaId }, signal });
  const started = Date.now();
  for (;;) {
    const media = await api.get('/api/v1/media/{mediaId}', { params: { mediaId: asked.mediaId }, query: { minPosition: completed.position }, signal });
    if (media.status === 'ready') return asked.mediaId;
    if (media.status === 'rejected') throw new ApiError(422, media.reason ?? 'MEDIA_REJECTED', media.message ?? 'This file could not be processed.');
    if (media.status !== 'pending' && media.status !== 'processing') throw new ApiError(422, 'MEDIA_UNAVAILABLE', `This upload is ${media.status}. Pick the file again.`);
    if (Date.now() - started > POLL_LIMIT_MS) throw new ApiError(504, 'MEDIA_TIMEOUT', 'Processing is taking too long. Try again later.');
    await sleep(POLL_MS);
  }
};
