import { z } from 'zod';
import { isUploadedMedia, type MediaItem, type UploadedMediaItem } from '../events/index.js';
import type { ShownMediaItem } from '../projections/profiles/reader-types.js';
import type { MediaStorage } from '../media/storage/media-storage.js';

// How stored media items become what the API answers (docs/architecture.md "Media"): the one home
// of the media URL rule. Read models keep storage keys; URLs are made here, on every read, so that
// a private account's media are only ever reachable through short-lived signed URLs, and a change
// of CDN or bucket needs no rebuild.
//
// - A private author's media: signed URLs valid for PRIVATE_URL_TTL_SECONDS. The signing time is
//   rounded down to a window, so the same URL is handed out for a while (browsers cache it) and no
//   URL outlives window + TTL: a follower who is removed loses access within that.
// - A public author's media: MEDIA_PUBLIC_BASE_URL (a CDN) unsigned when set; otherwise signed
//   URLs that live a day, so that caches hold them.
// - External URLs (MEDIA_EXTERNAL_HOSTS, and posts made before uploads existed) pass through.

export const PRIVATE_URL_TTL_SECONDS = 10 * 60;
const PRIVATE_URL_WINDOW_MS = 5 * 60 * 1000;
export const PUBLIC_URL_TTL_SECONDS = 24 * 60 * 60;
const PUBLIC_URL_WINDOW_MS = 6 * 60 * 60 * 1000;
/** Signed URLs kept, so that a feed page does not sign the same keys again within a window. */
const SIGNED_URL_CACHE_SIZE = 50_000;

export const presentedVariant = z.object({ name: z.string(), url: z.string(), width: z.number(), height: z.number(), contentType: z.string() });

export const presentedMedia = z.object({
  mediaId: z.string().optional(),
  type: z.enum(['image', 'video']),
  /** The largest image variant; for a video, the MP4. */
  url: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
  durationMs: z.number().optional(),
  blurhash: z.string().optional(),
  dominantColor: z.string().optional(),
  variants: z.array(presentedVariant).optional(),
  /** The people tagged on a post's item, by username, where on it (fractions of width and height from the top left); absent when none. */
  tags: z.array(z.object({ username: z.string(), x: z.number(), y: z.number() })).optional(),
});
export type PresentedMedia = z.infer<typeof presentedMedia>;

export interface MediaPresenter {
  /** A post's items, with their tags as the read model named them (never the stored ids). */
  present(items: readonly ShownMediaItem[], owner: { private: boolean }): Promise<PresentedMedia[]>;
  presentOne(item: MediaItem, owner: { private: boolean }): Promise<PresentedMedia>;
  /**
   * Until when (ms since the epoch) what present() answers now for such an owner stays what it
   * answers: the end of the current signing window. A presentation kept for later (the card
   * cache, read-api/card-cache.ts) must not be served past it.
   */
  presentedUntil(owner: { private: boolean }): number;
}

export const createMediaPresenter = (storage: MediaStorage, now: () => Date = () => new Date()): MediaPresenter => {
  const signed = new Map<string, string>();

  const windowOf = (ownerPrivate: boolean) => (ownerPrivate ? PRIVATE_URL_WINDOW_MS : PUBLIC_URL_WINDOW_MS);
  const windowStart = (ownerPrivate: boolean) => Math.floor(now().getTime() / windowOf(ownerPrivate)) * windowOf(ownerPrivate);

  const urlOf = async (key: string, ownerPrivate: boolean): Promise<string> => {
    if (!ownerPrivate) {
      const unsigned = storage.publicUrl(key);
      if (unsigned) return unsigned;
    }
    const expiresInSeconds = ownerPrivate ? PRIVATE_URL_TTL_SECONDS : PUBLIC_URL_TTL_SECONDS;
    const signedAtMs = windowStart(ownerPrivate);
    const cacheKey = `${key}\n${signedAtMs}\n${expiresInSeconds}`;
    const cached = signed.get(cacheKey);
    if (cached) return cached;
    const url = await storage.downloadUrl({ key, signedAt: new Date(signedAtMs), expiresInSeconds });
    if (signed.size >= SIGNED_URL_CACHE_SIZE) signed.clear();
    signed.set(cacheKey, url);
    return url;
  };

  const presentUploaded = async (item: UploadedMediaItem, ownerPrivate: boolean): Promise<PresentedMedia> => {
    const variants = await Promise.all(
      item.variants.map(async ({ name, key, width, height, contentType }) => ({ name, url: await urlOf(key, ownerPrivate), width, height, contentType })),
    );
    const main = mainVariant(item, variants);
    const { mediaId, type, width, height, durationMs, blurhash, dominantColor } = item;
    return { mediaId, type, url: main.url, width, height, ...(durationMs !== undefined && { durationMs }), blurhash, dominantColor, variants };
  };

  // Field by field: whatever else a stored item holds (a post's tags, by id) is never passed on.
  const presentOne = (item: MediaItem, owner: { private: boolean }): Promise<PresentedMedia> => {
    if (isUploadedMedia(item)) return presentUploaded(item, owner.private);
    const { url, type, width, height } = item;
    return Promise.resolve({ url, type, ...(width !== undefined && { width }), ...(height !== undefined && { height }) });
  };

  return {
    presentOne,
    present: (items, owner) =>
      Promise.all(items.map(async (item) => ({ ...(await presentOne(item, owner)), ...(item.tags && item.tags.length > 0 && { tags: item.tags }) }))),
    presentedUntil: (owner) => windowStart(owner.private) + windowOf(owner.private),
  };
};

/** A video's MP4, else the widest image variant (JPEG and WebP alike: the widest first listed). */
const mainVariant = (item: UploadedMediaItem, variants: z.infer<typeof presentedVariant>[]) => {
  if (item.type === 'video') {
    const video = variants.find((variant) => variant.contentType.startsWith('video/'));
    if (video) return video;
  }
  return variants.reduce((widest, variant) => (variant.width > widest.width ? variant : widest));
};
