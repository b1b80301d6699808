import type { ExternalMediaItem } from '../../events/index.js';
import { invalid } from '../../kernel/errors.js';

// Which media URLs a new post or story may still carry instead of an upload (docs/rules.md
// "External media"): only https URLs on a host listed in MEDIA_EXTERNAL_HOSTS (default none), named
// exactly (a subdomain of a listed host is another host), with no user:password@ and no port. An IP
// literal is a host like any other: refused unless listed as written. Posts made before uploads
// existed keep their URLs (they are read, not checked again).

/** What a post or story names as one media item: an upload of the author's, or an external URL. */
export type MediaInput = { mediaId: string } | ExternalMediaItem;

/** Why `url` may not be carried, or null when it may. */
export const externalMediaRefusal = (url: string, allowedHosts: readonly string[]): string | null => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:') return 'media URLs must be https';
  if (parsed.username !== '' || parsed.password !== '') return 'media URLs may not carry a user or password';
  if (parsed.port !== '') return 'media URLs may not name a port';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (!allowedHosts.includes(host)) {
    return allowedHosts.length === 0
      ? 'media must be uploaded (POST /api/v1/media/uploads): no external host is allowed'
      : `media must be uploaded (POST /api/v1/media/uploads) or be on one of ${allowedHosts.join(', ')}`;
  }
  return null;
};

/**
 * Refuses, with 400 MEDIA_HOST_NOT_ALLOWED naming every offending field, the external items among
 * `items` (at their positions: `pathOf(index)`) whose URL is not allowed.
 */
export const assertExternalMediaAllowed = (
  items: readonly MediaInput[],
  allowedHosts: readonly string[],
  pathOf: (index: number) => string,
): void => {
  const details = items.flatMap((item, index) => {
    if (!('url' in item)) return [];
    const refusal = externalMediaRefusal(item.url, allowedHosts);
    return refusal === null ? [] : [{ path: `${pathOf(index)}.url`, message: refusal }];
  });
  if (details.length > 0) throw invalid('MEDIA_HOST_NOT_ALLOWED', details[0]!.message, details);
};

