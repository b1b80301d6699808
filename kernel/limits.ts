// Every field limit of the platform (docs/rules.md), each declared once with its reason. The
// HTTP schemas, the event contracts and the deciders all read them from here.
//
// Who refuses what, rule by rule (so that no layer carries a check that can never fire):
// - Username shape, display name, bio, media per post, and the account and media fields:
//   plain shape limits, refused by the HTTP schema (400 VALIDATION_FAILED naming the field).
//   The event contract repeats the profile, username and media-count limits as a backstop at
//   append (events/validate.ts), so that no path around HTTP can store what readers never expect.
//   One exception is kept on purpose: the username decider still refuses a malformed name
//   (INVALID_USERNAME), although over HTTP the schema answers first, because the name is the
//   reservation's identity (its stream is named after it): what guarantees uniqueness also
//   guarantees what it reserves.
// - Caption and comment text: owned by the domain (domain/post/caption.ts,
//   domain/comment/comment-text.ts), since counting hashtags and mentions needs parsing; HTTP only
//   bounds the work with the looser TEXT_INPUT_MAX_LENGTH, so the domain's own codes
//   (CAPTION_TOO_LONG, TOO_MANY_HASHTAGS, TOO_MANY_MENTIONS, COMMENT_TOO_LONG) reach the client.
// Lengths are counted in code points (codePointLength), as the app's counter shows them; only the
// HTTP schema counts UTF-16 units (zod's max), which can only make it stricter, never looser.

/** Length as a reader counts it: an emoji is one character, not String#length's two UTF-16 units. */
export const codePointLength = (text: string): number => {
  let length = 0;
  for (const _ of text) length++;
  return length;
};

/** Instagram's username length; also the longest run a caption's "@name" can mention. */
export const USERNAME_MAX_LENGTH = 30;
/** Instagram's username alphabet, lowercased: usernames are case-insensitive and stored lowercase. */
export const USERNAME_PATTERN = new RegExp(`^[a-z0-9._]{1,${USERNAME_MAX_LENGTH}}$`);
/** The one wording of the username rule, for every layer that refuses a username. */
export const USERNAME_RULE = `a username is 1 to ${USERNAME_MAX_LENGTH} letters, digits, periods or underscores`;

/** Instagram's limit for the name shown on a profile. */
export const DISPLAY_NAME_MAX_LENGTH = 30;
/** Instagram's limit for a profile's bio. */
export const BIO_MAX_LENGTH = 150;

/**
 * Accounts one may follow, pending requests included: Instagram's own cap. It bounds the work a
 * follower's reads do per request (the feed, stories and search read every followed account,
 * review F13). Counted from the profiles read model (commands/graph/follow.ts), so the follows
 * made within the projection's lag may pass it by that many.
 */
export const FOLLOWING_MAX = 7_500;

/** A post is at least one photo or video... */
export const MIN_MEDIA_PER_POST = 1;
/** ...or a carousel of up to ten, as on Instagram. */
export const MAX_MEDIA_PER_POST = 10;
/** People tagged on one photo or video of a post: Instagram's cap. */
export const MAX_TAGS_PER_MEDIA = 20;
/**
 * People tagged across a post's items, each tag counted (one person on two items counts twice):
 * it bounds the username look-ups a create does (commands/posts/posts.ts) and the notifications it makes.
 */
export const MAX_TAGS_PER_POST = 50;

/** Instagram's caption length, in code points. */
export const CAPTION_MAX_LENGTH = 2200;
/**
 * The longest hashtag, in code points (Instagram's is about 100): a longer `#word` is not a
 * hashtag (it stays caption text). It also keeps every tag far under what the search indexes
 * hold (a PostgreSQL lexeme is at most 2,047 bytes, a btree entry about 2,700).
 */
export const HASHTAG_MAX_LENGTH = 100;
/** Whether a tag (without '#') is short enough to be a hashtag. */
export const isHashtagLength = (tag: string): boolean => codePointLength(tag) <= HASHTAG_MAX_LENGTH;
/**
 * The longest path parameter the router takes, in UTF-16 units after decoding: the longest any
 * route's own schema accepts (a hashtag of HASHTAG_MAX_LENGTH code points, each up to 4 units with
 * its marks), so that every shorter one is judged by its route's schema, which names the field.
 * Fastify's default of 100 refused a 101-letter tag before its schema could say `tag`. Longer is
 * refused by the router itself (a 400 naming only the params), before any work.
 */
export const PATH_PARAM_MAX_LENGTH = 4 * HASHTAG_MAX_LENGTH;
/** A post's place name (Instagram's are far shorter), in code points after trimming. */
export const LOCATION_NAME_MAX_LENGTH = 100;
/** Latitudes and longitudes of a place are kept to this many decimals (about 110 m): the grid places are deduplicated on. */
export const LOCATION_GRID_DECIMALS = 3;
/** Search for places nearby (`GET /api/v1/search?type=places&lat=&lon=`): the default and largest radius. */
export const PLACES_RADIUS_DEFAULT_KM = 10;
export const PLACES_RADIUS_MAX_KM = 50;
/** Instagram's hashtag limit per caption (each distinct tag counted once). */
export const MAX_HASHTAGS = 30;
/** Instagram's mention limit per caption or comment (each distinct account counted once). */
export const MAX_MENTIONS = 20;
/** A comment has the caption's length limit. */
export const COMMENT_MAX_LENGTH = CAPTION_MAX_LENGTH;
/**
 * What HTTP accepts for a caption or comment before the domain parses it: loose enough that
 * the domain's own code answers a text a little over its limit, tight enough to bound the work.
 */
export const TEXT_INPUT_MAX_LENGTH = 2 * CAPTION_MAX_LENGTH;

/** The longest name of a collection of saved posts, in code points (trimmed; never blank). */
export const COLLECTION_NAME_MAX_LENGTH = 60;
/**
 * Posts one collection holds. Counted exactly by the collection's own stream (domain/collection/
 * collection.ts); it bounds the stream's state and a collection page's count.
 */
export const COLLECTION_POSTS_MAX = 1_000;
/**
 * Collections one account keeps (deleted ones not counted). Counted from the profiles read model
 * (commands/collections/collections.ts), as FOLLOWING_MAX is, so creations within the projection's
 * lag may pass it by that many.
 */
export const COLLECTIONS_MAX = 100;

/**
 * Hashtags one account follows. It bounds the work a follower's reads do per request: the home
 * feed below its floor and the degraded pull merge every followed tag's posts, and an unfollow of
 * an author keeps what a followed tag brought. Counted from the profiles read model
 * (commands/graph/hashtag-follow.ts), as FOLLOWING_MAX is, so follows made within the
 * projection's lag may pass it by that many.
 */
export const HASHTAG_FOLLOWS_MAX = 100;

/** The longest email address SMTP can carry (RFC 5321). */
export const EMAIL_MAX_LENGTH = 254;
/** OWASP's minimum password length. */
export const PASSWORD_MIN_LENGTH = 8;
/** Bounds the hashing work a single request can ask for. */
export const PASSWORD_MAX_LENGTH = 128;

/** The longest media URL accepted: what browsers and CDNs reliably handle. */
export const MEDIA_URL_MAX_LENGTH = 2048;
/** The largest width or height of a photo or video, in pixels (16K). */
export const MEDIA_DIMENSION_MAX = 16_384;

// ---- Media (docs/architecture.md "Media"). The HTTP schema refuses a declared size or type
// outside these; the storage refuses bytes of another length than declared; the processing
// worker refuses what the bytes turn out to be (a bomb, a too-long video) as `rejected`.

/** The largest photo upload: a 48-megapixel phone JPEG is about 12 MB. */
export const IMAGE_MAX_BYTES = 16 * 1024 * 1024;
/** The largest video upload: 90 s of 1080p at a phone's bitrate. */
export const VIDEO_MAX_BYTES = 100 * 1024 * 1024;
/** The longest video, in milliseconds. */
export const VIDEO_MAX_DURATION_MS = 90_000;
/** The most pixels an image may decode to (a decompression bomb is refused before it is decoded). */
export const IMAGE_MAX_PIXELS = 100_000_000;
/** The longest filename a client may send with an upload (it is kept only for the owner's own display). */
export const MEDIA_FILENAME_MAX_LENGTH = 255;
/** The content types an upload may declare; the worker checks the bytes against them. */
export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif'] as const;
export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
/** How long a presigned upload URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
/** An upload never completed, or processed but never attached, is swept after this long. */
export const UNATTACHED_MEDIA_TTL_MS = 24 * 60 * 60 * 1000;
