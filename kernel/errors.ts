// The error catalogue: every code a client can receive, with its HTTP status, a default message
// and what it means (in the manner of Fastify's lib/errors.js). Every layer throws `AppError`s
// built from a code listed here; the HTTP error handler answers them with the catalogued status;
// the OpenAPI document lists each status's codes; README's Errors table is generated from this
// table (`npm run docs:errors`) and a test keeps the three in step.

interface CatalogueEntry {
  status: ErrorStatus;
  /** Used when the thrower has nothing more precise to say. */
  message: string;
  description: string;
}

/** What each status means, for the README table and the OpenAPI responses. */
export const errorStatuses = {
  400: 'malformed input',
  401: 'no or bad token, bad login',
  403: 'not allowed',
  404: 'unknown',
  409: 'taken, or a conflict that survived retries',
  413: 'body over 1 MiB',
  415: 'a body of an unsupported Content-Type',
  422: 'a domain rule broken, or an Idempotency-Key reused with another request',
  429: 'too many requests (a rate limit)',
  500: 'an unexpected error (a bug)',
  503: 'a backend is down',
} as const;

export type ErrorStatus = keyof typeof errorStatuses;

export const errorCatalogue = {
  // --- The request itself (answered by the HTTP layer before any handler runs) ---
  VALIDATION_FAILED: {
    status: 400,
    message: 'invalid request',
    description: 'The body, query or path does not match the route schema; the details name each failing field and where it is.',
  },
  MALFORMED_BODY: { status: 400, message: 'malformed body', description: 'The body is not valid JSON, is empty, or does not match its Content-Length.' },
  INVALID_INPUT: {
    status: 400,
    message: 'a value in the request is out of range or malformed',
    description: 'A value passed through to PostgreSQL (SQLSTATE class 22) or Elasticsearch (a 400 of its own) that it could not take, e.g. a forged cursor; the store\'s own message is never sent.',
  },
  BAD_REQUEST: {
    status: 400,
    message: 'bad request',
    description: "Any other request Fastify refuses (e.g. a malformed URL), with Fastify's message and 4xx status.",
  },
  INVALID_CURSOR: { status: 400, message: 'the cursor is not one this list handed out', description: 'A page cursor that the list did not hand out, or that was altered.' },
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
    description: 'The Idempotency-Key header is empty, too long or not visible ASCII.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large', description: 'The body is over the 1 MiB limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', description: 'The body has a Content-Type other than application/json.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route', description: 'No route has this method and path.' },

  // --- Authentication ---
  UNAUTHORIZED: { status: 401, message: 'missing bearer token', description: 'No bearer token, or one that is invalid or expired.' },
  INVALID_CREDENTIALS: { status: 401, message: 'unknown login or wrong password', description: 'Login with an unknown username or email, or the wrong password.' },
  TWO_FACTOR_CODE_INVALID: {
    status: 403,
    message: 'the code is wrong or used already',
    description: 'POST /api/v1/auth/2fa/confirm or /disable, or DELETE /api/v1/users/{username} of an account with two-factor authentication on, without a code or with one that is not the current TOTP code (±30 s) nor an unused recovery code, or one accepted already.',
  },
  WRONG_PASSWORD: {
    status: 403,
    message: 'the password is wrong',
    description: 'An authenticated request that must be confirmed with the account\'s password (changing it, enrolling or disabling two-factor authentication, deleting the account) gave another.',
  },
  ACCOUNT_TOKEN_INVALID: {
    status: 400,
    message: 'this link is unknown, used already or expired',
    description: 'A password reset or email verification token that was never issued, was used already, was replaced by a newer link, or expired (PASSWORD_RESET_TTL, EMAIL_VERIFICATION_TTL).',
  },
  INVALID_REFRESH_TOKEN: {
    status: 401,
    message: 'unknown or expired refresh token',
    description: 'A refresh token never issued, or whose session ended (logged out, revoked, unused for REFRESH_TOKEN_TTL).',
  },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    message: 'this refresh token was used already; the session is ended',
    description: 'A refresh token that a refresh had already replaced: someone else holds a copy, so its whole session is revoked. Log in again.',
  },
  INVALID_STREAM_TICKET: {
    status: 401,
    message: 'unknown, used or expired stream ticket',
    description: 'GET /stream with a ticket that POST /auth/stream-ticket never issued, that was used already, is older than a minute or whose session ended.',
  },
  SESSION_NOT_FOUND: { status: 404, message: 'no such session', description: 'Ending a session that is not one of the caller\'s live sessions.' },

  // --- Idempotency-Key (docs/architecture.md "HTTP API") ---
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    message: 'a request with this Idempotency-Key is still in progress',
    description: 'A request with the same key is still running after the wait; retry later.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'this Idempotency-Key was used with a different request',
    description: 'The key was used before with another method, path or body.',
  },

  // --- Accounts and profiles ---
  USERNAME_TAKEN: { status: 409, message: 'the username is taken', description: 'Another account holds this username.' },
  USERNAME_RESERVED: {
    status: 400,
    message: 'the username is reserved',
    description: "A name the API uses in a username's place (`me`, as in /api/v1/users/me/...): no account may take it.",
  },
  TWO_FACTOR_ENABLED: {
    status: 409,
    message: 'two-factor authentication is on already',
    description: 'POST /api/v1/auth/2fa/enroll or /confirm for an account whose two-factor authentication is on: disable it first.',
  },
  TWO_FACTOR_NOT_ENROLLED: { status: 409, message: 'no two-factor secret to confirm', description: 'POST /api/v1/auth/2fa/confirm before POST /api/v1/auth/2fa/enroll.' },
  TWO_FACTOR_NOT_ENABLED: { status: 409, message: 'two-factor authentication is not on', description: 'POST /api/v1/auth/2fa/disable for an account without two-factor authentication.' },
  TWO_FACTOR_REQUIRED: {
    status: 401,
    message: 'this account logs in in two steps',
    description: 'A retried registration (same Idempotency-Key) of an account that has turned two-factor authentication on since: log in with POST /api/v1/users/login.',
  },
  EMAIL_TAKEN: { status: 409, message: 'an account with this email already exists', description: 'Another account registered with this email.' },
  USER_EXISTS: {
    status: 409,
    message: 'this user is already registered',
    description: 'A second registration of the same user id (the server picks ids, so a client does not meet it).',
  },
  INVALID_USERNAME: {
    status: 400,
    message: 'a username has 1 to 30 letters, digits, periods or underscores',
    description: "A username outside the domain's rule (the route schema refuses most such input first, as VALIDATION_FAILED).",
  },
  USER_NOT_FOUND: { status: 404, message: 'no such user', description: 'No active user has this username or id, or a block hides them from the caller.' },
  NOT_OWNER: { status: 403, message: 'only the account owner may do this', description: "Acting on another account's profile or follow requests." },
  ACCOUNT_DELETION_PENDING: {
    status: 403,
    message: 'this account is scheduled for deletion',
    description: 'The caller asked to delete their account and its grace period runs: everything but restoring it (and reading their own session and account) is refused.',
  },
  ACCOUNT_ERASURE_STARTED: {
    status: 409,
    message: 'this account is being erased',
    description: 'POST /users/{username}/restore after the grace period (ACCOUNT_DELETION_GRACE) ended: the erasure may have begun and cannot be undone.',
  },
  ACCOUNT_NOT_DELETING: {
    status: 409,
    message: 'this account is not awaiting erasure',
    description: 'The erasure worker met an account that is not in its grace period, or whose grace is not over (restored, or a clock behind); it leaves it.',
  },

  // --- Who may see and act on whom (docs/rules.md) ---
  PRIVATE_ACCOUNT: { status: 403, message: 'this account is private', description: 'The content belongs to a private account the caller does not follow.' },
  NOT_FOUND: { status: 404, message: 'not found', description: 'A read of content the caller may not know exists (unknown, or hidden by a block).' },
  CANNOT_FOLLOW_SELF: { status: 422, message: 'you cannot follow yourself', description: 'Following oneself.' },
  FOLLOWING_LIMIT_REACHED: {
    status: 422,
    message: 'you follow as many accounts as allowed',
    description: 'Following (or asking to follow) one more account past the cap (FOLLOWING_MAX, pending requests included).',
  },
  CANNOT_BLOCK_SELF: { status: 422, message: 'you cannot block yourself', description: 'Blocking oneself.' },
  CANNOT_MUTE_SELF: { status: 422, message: 'you cannot mute yourself', description: 'Muting oneself.' },
  HASHTAG_FOLLOWS_LIMIT_REACHED: {
    status: 422,
    message: 'you follow as many hashtags as allowed',
    description: 'Following one more hashtag past the cap (HASHTAG_FOLLOWS_MAX).',
  },
  FOLLOW_REQUEST_NOT_FOUND: { status: 404, message: 'no pending follow request from this account', description: 'Answering a follow request that is not pending.' },

  // --- Posts ---
  POST_NOT_FOUND: { status: 404, message: 'no such post', description: 'No post has this id, or a block (either way) hides it from the caller.' },
  POST_EXISTS: {
    status: 409,
    message: 'the post already exists',
    description: 'Creating a post with an id in use (the server picks ids, so a client does not meet it).',
  },
  POST_DELETED: { status: 422, message: 'the post was deleted', description: 'Acting on a deleted post.' },
  DUPLICATE_TAG: {
    status: 400,
    message: 'a person is tagged once per photo or video',
    description: 'Creating a post whose media item tags the same account twice; the details name the second tag (media.{i}.tags.{j}.username).',
  },
  POST_NOT_SHAREABLE: {
    status: 403,
    message: "only its author may share a private account's post",
    description: "Sharing to a story a post of a private account one follows: the story would show it to the sharer's own audience.",
  },
  NOT_AUTHOR: { status: 403, message: 'only the author may do this', description: "Editing or deleting another author's post or story, or reading another author's story viewers." },
  CAPTION_TOO_LONG: { status: 400, message: 'the caption is too long', description: 'A caption over its length limit.' },
  INVALID_HASHTAG: { status: 400, message: 'not a hashtag', description: 'A hashtag to follow that is not one a caption could carry (letters, marks, digits and _, at most HASHTAG_MAX_LENGTH).' },
  TOO_MANY_HASHTAGS: { status: 400, message: 'too many hashtags', description: 'A caption with more hashtags than allowed.' },
  TOO_MANY_MENTIONS: { status: 400, message: 'too many mentions', description: 'A caption or comment that mentions more accounts than allowed.' },

  // --- Locations ---
  LOCATION_NOT_FOUND: {
    status: 404,
    message: 'no such location',
    description: 'No live post of a public account carries this location (a place only private posts carry answers as an unknown one).',
  },

  // --- Comments ---
  COMMENT_NOT_FOUND: { status: 404, message: 'no such comment', description: 'No comment has this id (the one deleted, or the one replied to).' },
  COMMENT_EXISTS: {
    status: 409,
    message: 'the comment already exists',
    description: 'Adding a comment with an id in use (the server picks ids, so a client does not meet it).',
  },
  COMMENT_DELETED: { status: 422, message: 'the comment was deleted', description: 'Replying to a deleted comment.' },
  COMMENT_EMPTY: { status: 400, message: 'a comment needs some text', description: 'A comment without text.' },
  COMMENT_TOO_LONG: { status: 400, message: 'the comment is too long', description: 'A comment over its length limit.' },
  PARENT_ON_OTHER_POST: { status: 400, message: 'the comment replied to is on another post', description: 'A reply whose parent comment belongs to another post.' },
  NOT_ALLOWED: { status: 403, message: 'not allowed', description: "Deleting a comment as neither its author nor the post's author." },

  // --- Collections of saved posts (docs/rules.md) ---
  COLLECTION_NOT_FOUND: {
    status: 404,
    message: 'no such collection',
    description: "No live collection has this id, or it is another account's (a collection is private to its owner, so a stranger cannot learn it exists).",
  },
  COLLECTION_EXISTS: {
    status: 409,
    message: 'the collection already exists',
    description: 'Creating a collection with an id in use (the server picks ids, so a client does not meet it).',
  },
  INVALID_COLLECTION_NAME: {
    status: 400,
    message: 'a collection name is 1 to 60 characters, not blank',
    description: 'A collection name that is blank once trimmed, or over 60 characters.',
  },
  COLLECTIONS_LIMIT_REACHED: {
    status: 422,
    message: 'you keep as many collections as allowed',
    description: 'Creating one more collection past the cap (COLLECTIONS_MAX, 100); delete one first.',
  },
  COLLECTION_FULL: { status: 422, message: 'the collection holds as many posts as allowed', description: 'Adding a post to a collection that holds COLLECTION_POSTS_MAX (1,000) posts.' },

  // --- Stories ---
  STORY_NOT_FOUND: { status: 404, message: 'no such story', description: 'No live story has this id, or a block (either way) hides it from the caller.' },
  STORY_EXISTS: {
    status: 409,
    message: 'the story already exists',
    description: 'Posting a story with an id in use (the server picks ids, so a client does not meet it).',
  },
  STORY_EXPIRED: { status: 422, message: 'the story has expired', description: 'Viewing a story past its expiry.' },
  STORY_NOT_DUE: {
    status: 422,
    message: 'the story is not due to expire yet',
    description: 'Expiring a story before its time (only the expiry job expires stories, so a client does not meet it).',
  },

  // --- Media (docs/architecture.md "Media") ---
  MEDIA_NOT_FOUND: { status: 404, message: 'no such media', description: "No upload has this id, or it is another user's (media are private to their owner until attached)." },
  MEDIA_TYPE_UNSUPPORTED: {
    status: 400,
    message: 'this kind of file is not supported',
    description: 'An upload declaring a content type other than the JPEG, PNG, WebP, GIF, HEIC, AVIF, MP4, MOV and WebM listed in the README.',
  },
  MEDIA_TOO_LARGE: { status: 400, message: 'the file is too large', description: 'An upload declaring more bytes than its kind allows (16 MB for images, 100 MB for videos).' },
  MEDIA_NOT_UPLOADED: {
    status: 422,
    message: 'the bytes have not been uploaded',
    description: 'Completing an upload before its bytes are in the storage, or when they are not the size declared.',
  },
  MEDIA_ALREADY_COMPLETED: { status: 422, message: 'the upload was already completed', description: 'Completing an upload a second time.' },
  MEDIA_UPLOAD_EXPIRED: { status: 422, message: 'the upload has expired', description: 'Completing or attaching an upload past its time (it is swept).' },
  MEDIA_NOT_READY: { status: 422, message: 'the media is not processed yet', description: 'Attaching media that is still pending or processing; poll GET /api/v1/media/{mediaId}.' },
  MEDIA_REJECTED: { status: 422, message: 'the media was rejected', description: 'Attaching media that processing rejected; GET /api/v1/media/{mediaId} says why.' },
  MEDIA_ALREADY_ATTACHED: { status: 422, message: 'the media is already attached', description: 'Attaching media already on a post, story or avatar (each upload is used once).' },
  MEDIA_WRONG_PURPOSE: {
    status: 422,
    message: 'the media was uploaded for another use',
    description: 'Attaching as an avatar media uploaded for a post, or a video as an avatar.',
  },
  MEDIA_HOST_NOT_ALLOWED: {
    status: 400,
    message: 'media must be uploaded',
    description: 'A post or story naming a media URL outside MEDIA_EXTERNAL_HOSTS; upload it through POST /api/v1/media/uploads.',
  },
  MEDIA_UNSUPPORTED: { status: 422, message: 'the bytes are not a supported image or video', description: 'A rejection reason: the bytes are of no supported kind.' },
  MEDIA_TYPE_MISMATCH: { status: 422, message: 'the bytes are not what was declared', description: 'A rejection reason: an image declared as a video or the other way round.' },
  MEDIA_CORRUPT: { status: 422, message: 'the file could not be read', description: 'A rejection reason: the bytes are truncated or corrupt.' },
  MEDIA_TOO_MANY_PIXELS: { status: 422, message: 'the image is too large to process', description: 'A rejection reason: the image decodes to more pixels than allowed.' },
  MEDIA_TOO_LONG: { status: 422, message: 'the video is too long', description: 'A rejection reason: the video is longer than 90 seconds.' },
  UPLOAD_SIGNATURE_INVALID: {
    status: 403,
    message: 'the upload or download URL is not valid',
    description: 'A local-storage URL whose signature, expiry, content type or length does not match what was signed.',
  },

  // --- Rate limits (docs/architecture.md "HTTP API") ---
  RATE_LIMITED: {
    status: 429,
    message: 'too many requests; retry later',
    description: 'A rate limit of the route\'s class is used up for this account or address, or (detail `password-hashing`) a caller with recent failed logins is turned away while password hashing is busy; Retry-After says when to retry.',
  },

  // --- Bounded work per client (docs/architecture.md "Read path") ---
  TOO_MANY_STREAMS: {
    status: 429,
    message: 'too many open event streams for this account',
    description: 'GET /api/v1/stream while the account already holds STREAMS_PER_ACCOUNT open streams in this process; close one first.',
  },
  STREAMS_FULL: {
    status: 503,
    message: 'the server holds as many event streams as it takes; retry later',
    description: 'GET /api/v1/stream while the process already holds STREAMS_PER_PROCESS open streams.',
  },

  // --- The server and its backends ---
  CONCURRENCY_CONFLICT: {
    status: 409,
    message: 'the resource changed concurrently; retry the request',
    description: 'Another write to the same stream kept winning after the retries (the event store refused the append).',
  },
  BACKEND_UNAVAILABLE: { status: 503, message: 'a backend is unavailable', description: 'A backend is down or unreachable; the details name it.' },
  INTERNAL: { status: 500, message: 'internal error', description: 'An unexpected error (a bug); logged with its stack.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The codes whose catalogued status is `S`: what a factory for that status accepts. */
export type CodeOfStatus<S extends ErrorStatus> = { [C in ErrorCode]: (typeof errorCatalogue)[C]['status'] extends S ? C : never }[ErrorCode];

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** The codes catalogued with `status`, in catalogue order. */
export const codesOfStatus = (status: ErrorStatus): ErrorCode[] => errorCodes.filter((code) => errorCatalogue[code].status === status);

export interface ErrorDetail {
  path: string;
  message: string;
  location?: string;
}

/** A refusal with a stable code from the catalogue; its status comes from the catalogue. */
export class AppError extends Error {
  readonly status: ErrorStatus;
  constructor(
    readonly code: ErrorCode,
    message: string = errorCatalogue[code].message,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}

// Factories by the kind of refusal; each accepts only codes catalogued with its status.

/** Input that breaks a field-level rule (e.g. a caption with 31 hashtags). */
export const invalid = (code: CodeOfStatus<400>, message: string, details: readonly ErrorDetail[] = []) => new AppError(code, message, details);
/** The actor may not do this (someone else's post, a blocked user). */
export const forbidden = (code: CodeOfStatus<403>, message: string) => new AppError(code, message);
/** The thing acted on or read does not exist (or may not be known to exist). */
export const notFound = (code: CodeOfStatus<404>, message: string, details: readonly ErrorDetail[] = []) => new AppError(code, message, details);
/** Uniqueness taken (a username). */
export const conflict = (code: CodeOfStatus<409>, message: string) => new AppError(code, message);
/** A domain rule broken by a well-formed command (liking a deleted post, following yourself). */
export const ruleBroken = (code: CodeOfStatus<422>, message: string) => new AppError(code, message);
