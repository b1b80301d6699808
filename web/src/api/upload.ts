import { api, ApiError, type Answer } from './client';

// One file through the API's upload flow (README "Media"): ask for an upload, PUT the bytes to the
// presigned URL with exactly its headers, say it is complete, then poll the media until the worker
// has processed or rejected it. The PUT goes through XMLHttpRequest because fetch reports no
// upload progress. Every step answers to one AbortSignal, so removing a file stops its work.

export type MediaAnswer = Answer<'/api/v1/media/{mediaId}', 'get'>;
/** What the upload is for (the API sizes its limits and variants by it). */
export type UploadPurpose = 'post' | 'story' | 'avatar';
/** The steps a screen waiting on uploadMedia may show. */
export type UploadStage = 'uploading' | 'processing';

export type UploadState =
  | { phase: 'uploading'; loaded: number; total: number }
  | { phase: 'processing' }
  | { phase: 'ready'; media: MediaAnswer }
  | { phase: 'rejected'; message: string }
  | { phase: 'failed'; error: unknown };

/** Types the API takes (README "media"), for the files a browser names no type for (HEIC, MOV on some systems). */
const TYPE_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  heic: 'image/heic', heif: 'image/heif', avif: 'image/avif', mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm',
};

export const contentTypeOf = (file: File) => file.type || TYPE_BY_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''] || 'application/octet-stream';

/** Headers a page may not set itself (the browser sends them): setting one only logs an error. */
const FORBIDDEN_HEADERS = new Set(['content-length', 'host', 'connection', 'expect', 'transfer-encoding']);

const put = (url: string, headers: Record<string, string>, file: File, signal: AbortSignal, onProgress: (loaded: number, total: number) => void) =>
  new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(storageError(request));
    };
    request.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed. Check your network and try again.'));
    request.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });

/** The storage's refusal: the API's error shape from the local store, S3's XML otherwise. */
const storageError = (request: XMLHttpRequest) => {
  try {
    const body = JSON.parse(request.responseText) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(request.status, body.error.code ?? 'HTTP_ERROR', body.error.message);
  } catch {
    // not JSON
  }
  return new ApiError(request.status, 'HTTP_ERROR', `The storage refused the upload (${request.status}).`);
};

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new DOMException('aborted', 'AbortError'))), { once: true });
  });

/** Uploads one file and reports each state; resolves when it is ready, rejected or failed (never throws but for an abort). */
export const uploadFile = async (file: File, onState: (state: UploadState) => void, signal: AbortSignal, purpose: UploadPurpose = 'post'): Promise<void> => {
  try {
    onState({ phase: 'uploading', loaded: 0, total: file.size });
    const asked = await api.post('/api/v1/media/uploads', { body: { filename: file.name.slice(0, 255) || 'upload', contentType: contentTypeOf(file), size: file.size, purpose }, signal });
    await put(asked.uploadUrl, asked.headers, file, signal, (loaded, total) => onState({ phase: 'uploading', loaded, total }));
    onState({ phase: 'uploading', loaded: file.size, total: file.size });
    const completed = await api.post('/api/v1/media/{mediaId}/complete', { params: { mediaId: asked.mediaId }, signal });
    onState({ phase: 'processing' });
    // Processing takes from a fraction of a second (a photo) to many seconds (a video to transcode).
    for (let attempt = 0; ; attempt++) {
      const media = await api.get('/api/v1/media/{mediaId}', { params: { mediaId: asked.mediaId }, query: { minPosition: completed.position }, signal });
      if (media.status === 'ready') return onState({ phase: 'ready', media });
      if (media.status === 'rejected') return onState({ phase: 'rejected', message: media.message ?? media.reason ?? 'The file was rejected.' });
      if (media.status !== 'processing' && media.status !== 'pending') return onState({ phase: 'rejected', message: `The upload is ${media.status}.` });
      await wait(Math.min(2000, 250 + attempt * 150), signal);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    onState({ phase: 'failed', error });
  }
};

/**
 * The same flow for a screen that only wants the result (an avatar, a story): the ready upload's
 * mediaId, or an ApiError with the API's words (a refusal, a rejection, a lost connection).
 */
export const uploadMedia = async (file: File, purpose: UploadPurpose, onStage?: (stage: UploadStage) => void, signal = new AbortController().signal): Promise<string> => {
  let last: UploadState | undefined;
  await uploadFile(
    file,
    (state) => {
      if ((state.phase === 'uploading' || state.phase === 'processing') && state.phase !== last?.phase) onStage?.(state.phase);
      last = state;
    },
    signal,
    purpose,
  );
  if (last?.phase === 'ready') return last.media.id;
  if (last?.phase === 'rejected') throw new ApiError(422, 'MEDIA_REJECTED', last.message);
  if (last?.phase === 'failed' && last.error instanceof ApiError) throw last.error;
  throw new ApiError(0, 'NETWORK', 'The upload failed. Check your network and try again.');
};
