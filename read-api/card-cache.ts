import type { FastifyReply } from 'fastify';
import { accessTo, tagShownTo, type ContentAccess } from '../kernel/access.js';
import { listedFor } from '../projections/profiles/access-sql.js';
import type { CardBus } from '../projections/profiles/card-bus.js';
import type { CardTouches } from '../projections/profiles/card-touches.js';
import { isUuid } from '../projections/profiles/keyset.js';
import type { MutualFollowers, PairFacts, PostCardFacts, ProfilesReader, Relationship, UserCardFacts } from '../projections/profiles/profiles-reader.js';
import { NO_PAIR_FACTS } from '../projections/profiles/reader-cards.js';
import type { MediaPresenter } from './media-presenter.js';
import { presentUser } from './present.js';
import { hydratedPost, profile, userSummary } from './schemas.js';

// Cards of the hot reads (docs/architecture.md "Read path", "Card cache"), held IN PROCESS so that
// a hit costs no I/O at all: the home feed's hydration, the post page and the profile page.
//
// - Three kinds, each a bounded LRU map: post cards (a live post's own fields, or its absence),
//   user cards (a registered user's profile, whether it is listed, or its absence) and pair facts
//   (follows, request and blocks between a viewer and another user). Visibility is NOT cached: it
//   is decided on every read by kernel/access.ts `accessTo` from the cached facts, as `postFor`,
//   `visiblePosts` and `profileFor` decide it from the rows (projections/profiles/); and so is
//   which of a post's tags show (`tagShownTo`, from the viewer's pair facts with each tagged
//   person, loaded with the authors' in the same query): a card holds every standing tag, and a
//   viewer a block stands between with a tagged person gets the card without that tag.
// - Presented once, pre-serialized: a card keeps its media presented (read-api/media-presenter.ts)
//   and its JSON as the response schema shapes it, until the end of the signing window its URLs
//   were made in (`presentedUntil`), then presents again (no SQL). A post's JSON is its own
//   fragment plus its author's summary, so that an author's change evicts one user card, not
//   every post of theirs; the viewer's likedByMe/bookmarkedByMe are spliced in by `withMarks`.
// - Misses load in ONE query per kind per request (the missing ids batched), and concurrent
//   misses of one key share its load.
// - Invalidation: the profiles projector publishes what each committed live batch touched
//   (projections/profiles/card-touches.ts) on the card bus; every touched key is evicted. A load
//   takes the invalidation sequence number before its query and inserts only if no invalidation
//   of its key (nor a clear) came since: an old row read before a commit whose message arrives
//   during the load is handed to that one request and never kept.
// - The bus is at most once, so entries are trusted only while the subscription is live: until
//   then, and from a drop until the next live subscription, every read goes to SQL and nothing is
//   kept; becoming live again clears everything (what was published meanwhile is lost).
// - Every entry also expires after CARD_TTL_MS, the bound on staleness if all else failed.
// - `readThrough` (a read with ?minPosition=, read-your-writes) skips hits, loads from SQL and
//   refreshes what it loaded.

/** The last safety net: a card whose invalidation was lost (a publisher that died between commit and publish) is served at most this long. */
export const CARD_TTL_MS = 60_000;
/**
 * Post cards, and user cards, kept per process (CARD_CACHE_SIZE). A post card with its JSON is
 * ~1-2 KB, so 20,000 of each is ~50 MB at most, and covers the posts of the feeds of thousands of
 * active viewers (20 a page, mostly shared: followed accounts post to many feeds).
 */
export const DEFAULT_CARD_CACHE_SIZE = 20_000;
/** Pair facts are ~100 bytes, and a viewer reads many authors: five per card. */
const PAIRS_PER_CARD = 5;
/** Invalidations remembered while loads are in flight; past it, every load in flight is refused its insert (as after a clear). */
const REMEMBERED_INVALIDATIONS = 100_000;
/** A pair key's halves are lowercase UUIDs (pairFacts keeps nothing for any other viewer). */
const UUID_LENGTH = 36;

export interface ReadOptions {
  /** Load from SQL whatever is cached (a ?minPosition= read), refreshing the cache. */
  readThrough?: boolean;
}

export interface VisiblePostsOptions extends ReadOptions {
  /** Also leave out the posts of authors the viewer mutes (the home feed: docs/rules.md "Mutes"). */
  withoutMuted?: boolean;
}

/** A post as the API answers it, without likedByMe/bookmarkedByMe (withMarks adds them). */
export interface PostCardJson {
  postId: string;
  json: string;
  /** `json` without its closing brace, as UTF-8: what postPageBody splices the marks onto (kept with the card: no encoding per page). */
  open: Buffer;
  /** The card's facts (the ranked home feed scores them: projections/feed/ranking.ts). */
  facts: PostCardFacts;
}

export interface Marks {
  likedByMe: boolean;
  bookmarkedByMe: boolean;
  /** The home feed's: the followed hashtag that brought the post (projections/feed/feed-reader.ts HomeItem). */
  via?: string;
}

/** A home page's item: a post id and the viewer's marks on it (projections/feed/feed-reader.ts HomeItem). */
export type PageItem = Marks & { postId: string };

export interface CardCache {
  /**
   * The posts of `postIds` in that order whose author the viewer may see, skipping deleted and
   * unknown ones: what profiles.visiblePosts keeps; with `withoutMuted`, not those of an author the
   * viewer mutes either (read from the same pair facts, so no extra load).
   */
  visiblePosts(postIds: readonly string[], viewerId: string, options?: VisiblePostsOptions): Promise<PostCardJson[]>;
  /**
   * The home page's body, `postPageBody(visiblePosts(ids, viewer, { withoutMuted: true }), marks,
   * nextCursor)`, from the maps alone when every post, author and pair fact is cached and presented
   * for now (the home feed's steady state): no intermediate list of cards, no promise. Undefined as
   * soon as anything is missing (or the cache is not live), for the caller to take the general path.
   */
  homePageBody(items: readonly PageItem[], viewerId: string, nextCursor: string | null): Buffer | undefined;
  /** The live post and the viewer's access to its author: what profiles.postFor answers (null for none). */
  postFor(postId: string, viewerId: string, options?: ReadOptions): Promise<{ json: string; access: ContentAccess } | null>;
  /** The profile (its JSON without the relationship), the viewer's access and relationship: what profiles.profileFor answers. */
  profileFor(
    viewerId: string,
    username: string,
    options?: ReadOptions,
  ): Promise<{ json: string; access: ContentAccess; relationship: Relationship; userId: string } | null>;
  /** Whether the viewer mutes the other user, from the cached pair facts (the event stream's feed pushes). */
  muting(viewerId: string, otherId: string): Promise<boolean>;
  /** Whether the post is cached as live (the home feed's reader then skips its deleted marker: FeedPageRequest.knownLive). */
  knownLive(postId: string): boolean;
  /** Drops every entry (a switch to another generation of the profiles read model). */
  clear(): void;
  /** Whether entries are trusted now: the bus subscription is live. */
  readonly live: boolean;
  /** Entries per kind, for tests and metrics. */
  sizes(): { posts: number; users: number; pairs: number };
  /** Ends the bus subscription. */
  close(): void;
}

export interface CardCacheOptions {
  /** The live generation's reader, looked up per load (generations switch). */
  profiles: () => Pick<ProfilesReader, 'postCards' | 'userCards' | 'userCardByUsername' | 'pairFacts'>;
  media: MediaPresenter;
  /** Null: no bus (a process serving no reads), so nothing is ever kept. */
  bus: Pick<CardBus, 'subscribe'> | null;
  size?: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
  /** The map's generation when the entry last moved to the back. */
  generation: number;
}

/**
 * One kind: a near-LRU map (a Map keeps insertion order, so its first key is the one used least
 * recently) and the loads in flight. A hit moves its entry to the back at most once per
 * generation (a quarter of the capacity's puts): a page of 20 hits would otherwise delete and
 * re-insert 60 entries (posts, authors, pairs), a visible part of the home feed's CPU; an entry
 * used within the last generation is still far from the front.
 */
class CardMap<V> {
  protected readonly entries = new Map<string, Entry<V>>();
  readonly loading = new Map<string, Promise<V | undefined>>();
  protected generation = 0;
  private putsThisGeneration = 0;
  constructor(private readonly capacity: number) {}

  /** Every entry stored goes through here (the pair map's index follows it). */
  protected store(key: string, entry: Entry<V>): void {
    this.entries.set(key, entry);
  }

  /** And every entry removed. */
  protected remove(key: string): void {
    this.entries.delete(key);
  }

  /** The value, if cached and not expired, without moving it. */
  peek(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  hit(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    // The usual hit (fresh, moved this generation already) without the call.
    return entry !== undefined && entry.expiresAt > now && entry.generation === this.generation ? entry.value : this.use(key, entry, now);
  }

  /** An entry found under `key` (by whichever index), checked for expiry and moved to the back once per generation. */
  protected use(key: string, entry: Entry<V> | undefined, now: number): V | undefined {
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.remove(key);
      return undefined;
    }
    if (entry.generation !== this.generation) {
      this.remove(key);
      this.store(key, entry);
      entry.generation = this.generation;
    }
    return entry.value;
  }

  put(key: string, value: V, now: number): void {
    this.remove(key);
    this.store(key, { value, expiresAt: now + CARD_TTL_MS, generation: this.generation });
    if (this.entries.size > this.capacity) this.remove(this.entries.keys().next().value!);
    if (++this.putsThisGeneration >= Math.max(1, this.capacity >> 2)) [this.generation, this.putsThisGeneration] = [this.generation + 1, 0];
  }

  evict(key: string): void {
    this.remove(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Pair facts, keyed `viewer|other` (two lowercase UUIDs), with an index by viewer then other: the
 * home page looks up some 20 authors' facts per page, and the index takes them by the ids it holds
 * (their hashes kept with the strings), where each flat key would be a new string to join and hash.
 */
class PairMap<V> extends CardMap<V> {
  private readonly byViewer = new Map<string, Map<string, Entry<V>>>();

  protected override store(key: string, entry: Entry<V>): void {
    super.store(key, entry);
    const viewer = key.slice(0, UUID_LENGTH);
    let others = this.byViewer.get(viewer);
    if (!others) this.byViewer.set(viewer, (others = new Map()));
    others.set(key.slice(UUID_LENGTH + 1), entry);
  }

  protected override remove(key: string): void {
    super.remove(key);
    const viewer = key.slice(0, UUID_LENGTH);
    const others = this.byViewer.get(viewer);
    if (others?.delete(key.slice(UUID_LENGTH + 1)) && others.size === 0) this.byViewer.delete(viewer);
  }

  /** hit(`${viewer}|${other}`), by the index: the flat key is joined only when the entry moves or goes (no closure per hit). */
  hitPair(viewer: string, other: string, now: number): V | undefined {
    const entry = this.byViewer.get(viewer)?.get(other);
    if (entry === undefined) return undefined;
    return entry.expiresAt > now && entry.generation === this.generation ? entry.value : this.use(`${viewer}|${other}`, entry, now);
  }

  override clear(): void {
    super.clear();
    this.byViewer.clear();
  }
}

/** The invalidation sequence: a load may insert only what no invalidation (nor clear) has touched since it began. */
class Invalidations {
  private seq = 0;
  private clearedAt = 0;
  private readonly touched = new Map<string, number>();
  private loads = 0;

  begin(): number {
    this.loads++;
    return this.seq;
  }

  end(): void {
    // With no load in flight, no insert will ask about earlier invalidations.
    if (--this.loads === 0) this.touched.clear();
  }

  touch(key: string): void {
    this.touched.set(key, ++this.seq);
    if (this.touched.size > REMEMBERED_INVALIDATIONS) this.clear();
  }

  clear(): void {
    this.clearedAt = ++this.seq;
    this.touched.clear();
  }

  mayInsert(key: string, startedAt: number): boolean {
    return this.clearedAt <= startedAt && (this.touched.get(key) ?? 0) <= startedAt;
  }
}

type PostCard = {
  facts: PostCardFacts;
  shown?: { authorPrivate: boolean; until: number; fragment: string; withAuthor?: { summary: string } & CardJson };
};
/**
 * A post's JSON, and the same without its closing brace as UTF-8 (PostCardJson); `withoutTags`:
 * the last one made from it without some tags (shownWithout), and which.
 */
type CardJson = Pick<PostCardJson, 'json' | 'open'> & { withoutTags?: { hidden: string; card: CardJson } };
/** A card's JSON with its encoded opening (PostCardJson `open`). */
export const cardJson = (json: string): CardJson => ({ json, open: Buffer.from(json.slice(0, -1), 'utf8') });
type UserCard = { facts: UserCardFacts; shown?: { until: number; summary: string; profile: string } };

const postFields = hydratedPost.omit({ author: true, likedByMe: true, bookmarkedByMe: true });
const profileFields = profile.omit({ relationship: true, mutualFollowers: true });

/** A card's JSON object with fields appended (`fields` starts with a comma). */
const appended = (json: string, fields: string) => `${json.slice(0, -1)}${fields}}`;

/** The post's JSON with the viewer's marks: what GET /posts/{id} and the feed's items answer. */
export const withMarks = (json: string, marks: Marks | undefined): string =>
  appended(
    json,
    `,"likedByMe":${marks?.likedByMe === true},"bookmarkedByMe":${marks?.bookmarkedByMe === true}${marks?.via === undefined ? '' : `,"via":${JSON.stringify({ hashtag: marks.via })}`}`,
  );

/** No tag hidden (shared, so that the home feed's fast path allocates nothing for a card whose tags all show). */
const NO_HIDDEN_TAGS: readonly string[] = Object.freeze([]);

/**
 * A post's JSON without the tags of `hiddenUsernames` (the people a block stands between with the
 * viewer: kernel/access.ts `tagShownTo`), an item left with none without its `tags` as the SQL
 * hydration leaves it. Parsed and written again: the rare card of a viewer in such a block pays it,
 * the card as cached is the same for everyone else.
 */
export const withoutTags = (json: string, hiddenUsernames: readonly string[]): string => {
  if (hiddenUsernames.length === 0) return json;
  const hidden = new Set(hiddenUsernames);
  const post = JSON.parse(json) as { media: Array<{ tags?: Array<{ username: string }> }> };
  for (const item of post.media) {
    if (!item.tags) continue;
    const shown = item.tags.filter((tag) => !hidden.has(tag.username));
    if (shown.length > 0) item.tags = shown;
    else delete item.tags;
  }
  return JSON.stringify(post);
};

/** The profile's JSON with the viewer's relationship: what GET /users/{username} answers. */
export const withRelationship = (json: string, { following, requested, followedBy, muting }: Relationship): string =>
  appended(json, `,"relationship":${JSON.stringify({ following, requested, followedBy, muting })}`);

/** The profile's JSON with who of the viewer's follows follow the account (read-api/mutual-followers.ts). */
export const withMutualFollowers = (json: string, mutuals: MutualFollowers): string =>
  appended(json, `,"mutualFollowers":${JSON.stringify({ usernames: mutuals.usernames, count: mutuals.count })}`);

/**
 * Sends a card's JSON as it is: a string payload skips the response serializer, whose zod pass
 * costs more than the read (the route's response schema stays, for the OpenAPI document).
 */
export const sendJson = (reply: FastifyReply, json: string): FastifyReply => reply.type('application/json').send(json);

/**
 * A page of posts, `{"items":[...],"nextCursor":...}`, each card with the viewer's marks on it (the
 * home feed): `marksOf` from a ViewerMarks map (`(id) => map.get(id)`) or from the feed read
 * model's sets (`(id) => ({ likedByMe: liked.has(id), bookmarkedByMe: saved.has(id) })`).
 */
export const postPageJson = (items: readonly Pick<PostCardJson, 'postId' | 'json'>[], marksOf: (postId: string) => Marks | undefined, nextCursor: string | null): string =>
  `{"items":[${items.map((item) => withMarks(item.json, marksOf(item.postId))).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;

const PAGE_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');
/** The four endings of a card without `via`, by likedByMe + 2 × bookmarkedByMe: withMarks's, as bytes. */
const MARKS_CLOSE = [0, 1, 2, 3].map((flags) => Buffer.from(withMarks('{}', { likedByMe: (flags & 1) === 1, bookmarkedByMe: (flags & 2) === 2 }).slice(1)));
const marksClose = (marks: Marks | undefined): Buffer =>
  marks?.via === undefined
    ? MARKS_CLOSE[(marks?.likedByMe === true ? 1 : 0) + (marks?.bookmarkedByMe === true ? 2 : 0)]!
    : Buffer.from(withMarks('{}', marks).slice(1), 'utf8');

/**
 * postPageJson's bytes, byte for byte (test/unit/read-api/card-json.test.ts), from the cards'
 * encoded JSON: one copy of each card into the body, with no string to join, measure and encode
 * per page (the home feed's answer is ~20 cards, ~12 KB). Sent as it is by sendJsonBytes.
 */
export const postPageBody = (items: readonly Pick<PostCardJson, 'postId' | 'open'>[], marksOf: (postId: string) => Marks | undefined, nextCursor: string | null): Buffer => {
  const parts: Buffer[] = [PAGE_OPEN];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (i > 0) parts.push(COMMA);
    parts.push(item.open, marksClose(marksOf(item.postId)));
  }
  parts.push(pageClose(nextCursor));
  return Buffer.concat(parts);
};

/** A page's end: `],"nextCursor":...}` (a constant for the last page). */
const LAST_PAGE_CLOSE = Buffer.from('],"nextCursor":null}');
const pageClose = (nextCursor: string | null): Buffer => (nextCursor === null ? LAST_PAGE_CLOSE : Buffer.from(`],"nextCursor":${JSON.stringify(nextCursor)}}`, 'utf8'));

/** sendJson of JSON already encoded: the content type written out as Fastify completes it for a string (so the headers stay the same). */
export const sendJsonBytes = (reply: FastifyReply, body: Buffer): FastifyReply => reply.type('application/json; charset=utf-8').send(body);

export const createCardCache = ({ profiles, media, bus, size = DEFAULT_CARD_CACHE_SIZE, now = Date.now }: CardCacheOptions): CardCache => {
  const posts = new CardMap<PostCard | null>(size);
  const users = new CardMap<UserCard | null>(size);
  const pairs = new PairMap<PairFacts>(size * PAIRS_PER_CARD);
  /** Username to user id: a hint, checked against the user card on use (so it needs no invalidation of its own). */
  const names = new CardMap<string>(size);
  const byName = new Map<string, Promise<UserCard | null>>();
  const invalidations = new Invalidations();
  let live = false;
  /** Tagged person to the post cards that tag them (postCards below); past `size` people, the post cards go with it. */
  const tagIndex = new Map<string, Set<string>>();
  const indexTag = (userId: string, postId: string) => {
    const id = userId.toLowerCase();
    let cards = tagIndex.get(id);
    if (!cards) {
      if (tagIndex.size >= size) {
        // Forgetting who is tagged where would keep a card past its tagged person's change: drop the cards too.
        tagIndex.clear();
        posts.clear();
      }
      tagIndex.set(id, (cards = new Set()));
    }
    cards.add(postId);
  };

  const clear = () => {
    invalidations.clear();
    posts.clear();
    users.clear();
    pairs.clear();
    names.clear();
    byName.clear();
    tagIndex.clear();
  };

  const touched = ({ posts: postIds, users: userIds, pairs: touchedPairs }: CardTouches) => {
    for (const id of postIds.map((id) => id.toLowerCase())) {
      invalidations.touch(`p:${id}`);
      posts.evict(id);
    }
    for (const id of userIds.map((id) => id.toLowerCase())) {
      invalidations.touch(`u:${id}`);
      users.evict(id);
      for (const postId of tagIndex.get(id) ?? []) {
        invalidations.touch(`p:${postId}`);
        posts.evict(postId);
      }
      tagIndex.delete(id);
    }
    for (const [a, b] of touchedPairs.map((pair) => pair.map((id) => id.toLowerCase()))) {
      for (const key of [`${a}|${b}`, `${b}|${a}`]) {
        invalidations.touch(`r:${key}`);
        pairs.evict(key);
      }
    }
    // A username's load in flight may have read the user before the change.
    if (userIds.length > 0) byName.clear();
  };

  const unsubscribe = bus?.subscribe({
    touched,
    clear,
    live: () => {
      clear();
      live = true;
    },
    down: () => {
      live = false;
      clear();
    },
  });

  /**
   * The values of `keys` (distinct, valid): hits, loads in flight, and ONE load of the rest. Kept
   * only while the bus is live, and only what no invalidation touched during the load.
   */
  const many = async <V>(
    kind: string,
    map: CardMap<V>,
    keys: readonly string[],
    load: (keys: string[]) => Promise<Map<string, V>>,
    { readThrough = false }: ReadOptions,
    /** Other invalidation keys a loaded value depends on: touched during the load, it is not kept either. */
    dependsOn?: (value: V) => readonly string[],
  ): Promise<Map<string, V>> => {
    const found = new Map<string, V>();
    const joins: Promise<void>[] = [];
    const missing: string[] = [];
    const trusted = live;
    const at = now();
    for (const key of keys) {
      if (trusted && !readThrough) {
        const value = map.hit(key, at);
        if (value !== undefined) {
          found.set(key, value);
          continue;
        }
        const pending = map.loading.get(key);
        if (pending) {
          joins.push(pending.then((value) => void (value !== undefined && found.set(key, value))));
          continue;
        }
      }
      missing.push(key);
    }
    // A shared load that fails fails its joiners too, as their own query would have (handled
    // here, so that it is no unhandled rejection while this request's own load is awaited).
    const joined = Promise.all(joins);
    joined.catch(() => undefined);
    if (missing.length > 0) {
      const startedAt = invalidations.begin();
      const loading = load(missing);
      // What later requests join: each key's value (a failure rejects them too).
      const shared = new Map(missing.map((key) => [key, loading.then((loaded) => loaded.get(key))]));
      for (const promise of shared.values()) promise.catch(() => undefined);
      try {
        if (trusted) for (const [key, promise] of shared) map.loading.set(key, promise);
        const loaded = await loading;
        const loadedAt = now();
        for (const key of missing) {
          const value = loaded.get(key);
          if (value === undefined) continue;
          found.set(key, value);
          const fresh = invalidations.mayInsert(`${kind}:${key}`, startedAt) && (dependsOn?.(value) ?? []).every((other) => invalidations.mayInsert(other, startedAt));
          if (live && fresh) map.put(key, value, loadedAt);
        }
      } finally {
        for (const [key, promise] of shared) if (map.loading.get(key) === promise) map.loading.delete(key);
        invalidations.end();
      }
    }
    await joined;
    return found;
  };

  /**
   * A post card shows the standing tags of listed people by name: a tagged person's deletion,
   * restore or erasure changes it, and touches only that person (card-touches.ts names no post
   * for them). So the cards loaded are indexed by everyone their items tag, and a touch of one of
   * them evicts those cards too; a load in flight meanwhile is not kept (`dependsOn`).
   */
  const postCards = (ids: readonly string[], options: ReadOptions) =>
    many(
      'p',
      posts,
      ids,
      async (missing) => {
        const loaded = await profiles().postCards(missing);
        for (const [id, facts] of loaded) for (const userId of facts?.taggedIds ?? []) indexTag(userId, id);
        return new Map([...loaded].map(([id, facts]) => [id, facts && { facts }]));
      },
      options,
      (card) => (card ? card.facts.taggedIds.map((userId) => `u:${userId.toLowerCase()}`) : []),
    );

  const userCards = (ids: readonly string[], options: ReadOptions) =>
    many('u', users, ids, async (missing) => {
      const loaded = await profiles().userCards(missing);
      return new Map([...loaded].map(([id, facts]) => [id, facts && { facts }]));
    }, options);

  /** The viewer's facts with each of `otherIds`; none (and nothing cached) for a viewer that is no UUID. */
  const pairFacts = async (viewerId: string, otherIds: readonly string[], options: ReadOptions): Promise<Map<string, PairFacts>> => {
    if (!isUuid(viewerId)) return new Map(otherIds.map((id) => [id, NO_PAIR_FACTS]));
    const viewer = viewerId.toLowerCase();
    const byKey = await many('r', pairs, otherIds.map((id) => `${viewer}|${id}`), async (missing) => {
      const loaded = await profiles().pairFacts(viewer, missing.map((key) => key.slice(viewer.length + 1)));
      return new Map([...loaded].map(([id, facts]) => [`${viewer}|${id}`, facts]));
    }, options);
    return new Map([...byKey].map(([key, facts]) => [key.slice(viewer.length + 1), facts]));
  };

  /** The user by username, shared by concurrent misses of the name, kept under the same rules as `many`'s. */
  const userByName = async (username: string, { readThrough = false }: ReadOptions): Promise<UserCard | null> => {
    const trusted = live && !readThrough;
    const pending = trusted ? byName.get(username) : undefined;
    if (pending) return pending;
    const startedAt = invalidations.begin();
    const loading = (async () => {
      try {
        const facts = await profiles().userCardByUsername(username);
        const card = facts && { facts };
        if (card && live && invalidations.mayInsert(`u:${card.facts.id}`, startedAt)) {
          users.put(card.facts.id, card, now());
          names.put(username, card.facts.id, now());
        }
        return card;
      } finally {
        invalidations.end();
      }
    })();
    if (trusted) byName.set(username, loading);
    try {
      return await loading;
    } finally {
      if (byName.get(username) === loading) byName.delete(username);
    }
  };

  /** The user card's summary and profile JSON, presented again past its signing window. */
  const shownUser = async (card: UserCard): Promise<NonNullable<UserCard['shown']>> => {
    if (card.shown && now() < card.shown.until) return card.shown;
    const until = media.presentedUntil(card.facts);
    const presented = await presentUser({ media }, card.facts);
    card.shown = { until, summary: JSON.stringify(userSummary.parse(presented)), profile: JSON.stringify(profileFields.parse(presented)) };
    return card.shown;
  };

  /** The post's JSON (without marks), its media presented under its author's privacy as it stands on the author's card. */
  const postJson = async (card: PostCard, author: UserCard): Promise<CardJson> => {
    const { summary } = await shownUser(author);
    const owner = { private: author.facts.private };
    let shown = card.shown;
    if (!shown || shown.authorPrivate !== owner.private || now() >= shown.until) {
      const until = media.presentedUntil(owner);
      const presented = await media.present(card.facts.media, owner);
      shown = card.shown = { authorPrivate: owner.private, until, fragment: JSON.stringify(postFields.parse({ ...card.facts, media: presented })) };
    }
    // Kept with the card (postJsonNow), so that its next page neither joins nor encodes it again.
    return postJsonNow(card, author) ?? cardJson(appended(shown.fragment, `,"author":${summary}`));
  };

  /** postJson() when both cards are presented for now: no promise on the hot path, and the joined JSON kept while the author's summary stands. */
  const postJsonNow = (card: PostCard, author: UserCard, at = now()): CardJson | undefined => {
    const { shown } = card;
    if (!author.shown || at >= author.shown.until || !shown || shown.authorPrivate !== author.facts.private || at >= shown.until) return undefined;
    const { summary } = author.shown;
    if (shown.withAuthor?.summary !== summary) shown.withAuthor = { summary, ...cardJson(appended(shown.fragment, `,"author":${summary}`)) };
    return shown.withAuthor;
  };

  /**
   * One post of visiblePosts() from the maps alone: its card with the JSON presented for now,
   * null when the rules leave it out, undefined as soon as anything is missing (for the general
   * path to load it). The same rules as postsWithAuthors and visiblePosts below, in the same order.
   * `viewer` is `viewerId` lowercased, a UUID.
   */
  /** The post card of cachedPost's last answer, for visibleFromCache to read right after (no pair object made per post). */
  let cachedCard: PostCard | undefined;
  const cachedPost = (postId: string, viewerId: string, viewer: string, withoutMuted: boolean, at: number): CardJson | null | undefined => {
    // No UUID check here: only UUIDs were ever loaded, so anything else misses and the general path skips it.
    // Every key is lowercase, so an id found as it is was lowercase already: lowercased (a new
    // string, hashed again) only when it is not found as it is (the feed's ids are lowercase).
    const asIs = posts.hit(postId, at);
    const post = asIs !== undefined ? asIs : posts.hit(postId.toLowerCase(), at);
    if (post == null) return post;
    const author = users.hit(post.facts.authorId, at);
    if (author === undefined) return undefined;
    if (author === null || !listedFor(viewerId, author.facts)) return null;
    const facts = pairs.hitPair(viewer, author.facts.id, at);
    if (facts === undefined) return undefined;
    if (accessOf(viewerId, author, facts) !== 'allowed' || (withoutMuted && facts.muting)) return null;
    const hidden = hiddenTagsFromCache(post.facts, viewer, at);
    if (hidden === undefined) return undefined;
    const json = postJsonNow(post, author, at);
    if (json === undefined) return undefined;
    cachedCard = post;
    return shownWithout(json, hidden);
  };

  /**
   * visiblePosts() from the maps alone, when every post, author and pair fact asked for is cached
   * and presented for now (the home feed's steady state): no Map, promise or await per page.
   * Undefined as soon as anything is missing, for the general path to load it.
   */
  const visibleFromCache = (postIds: readonly string[], viewerId: string, withoutMuted: boolean): PostCardJson[] | undefined => {
    if (!live || !isUuid(viewerId)) return undefined;
    const viewer = viewerId.toLowerCase();
    const at = now();
    const shown: PostCardJson[] = [];
    for (const postId of postIds) {
      const found = cachedPost(postId, viewerId, viewer, withoutMuted, at);
      if (found === undefined) return undefined;
      if (found === null) continue;
      shown.push({ postId: postId.toLowerCase(), json: found.json, open: found.open, facts: cachedCard!.facts });
    }
    return shown;
  };

  /** postPageBody(visibleFromCache(...)) without the list between them (CardCache.homePageBody). */
  const homePageBody = (items: readonly PageItem[], viewerId: string, nextCursor: string | null): Buffer | undefined => {
    if (!live || !isUuid(viewerId)) return undefined;
    const viewer = viewerId.toLowerCase();
    const at = now();
    const parts: Buffer[] = [PAGE_OPEN];
    for (const item of items) {
      const found = cachedPost(item.postId, viewerId, viewer, true, at);
      if (found === undefined) return undefined;
      if (found === null) continue;
      if (parts.length > 1) parts.push(COMMA);
      parts.push(found.open, marksClose(item));
    }
    parts.push(pageClose(nextCursor));
    return Buffer.concat(parts);
  };

  /**
   * The usernames of the post's standing tags that do not show to the viewer (`viewer` lowercased:
   * kernel/access.ts `tagShownTo`), from the cached pair facts alone: undefined when one is not
   * cached, for the general path to load it. A post that tags no one costs nothing here.
   */
  const hiddenTagsFromCache = (facts: PostCardFacts, viewer: string, at: number): readonly string[] | undefined => {
    let hidden = NO_HIDDEN_TAGS;
    for (const { userId, username } of facts.standingTags) {
      if (userId === viewer) continue;
      const pair = pairs.hitPair(viewer, userId, at);
      if (pair === undefined) return undefined;
      if (!tagShownTo(pair)) hidden = [...hidden, username];
    }
    return hidden;
  };

  /** hiddenTagsFromCache() on loaded pair facts (every tagged person's loaded with the authors'; one missing hides its tag). */
  const hiddenTagsAmong = (facts: PostCardFacts, viewer: string, pairsLoaded: Map<string, PairFacts>): readonly string[] => {
    let hidden = NO_HIDDEN_TAGS;
    for (const { userId, username } of facts.standingTags) {
      if (userId === viewer) continue;
      const pair = pairsLoaded.get(userId);
      if (pair === undefined || !tagShownTo(pair)) hidden = [...hidden, username];
    }
    return hidden;
  };

  /**
   * The card's JSON as the viewer sees it: the cached one, or (a tag hidden) one made without those
   * tags, kept beside it for the last set hidden (a viewer in such a block reads the same cards
   * page after page; another set replaces it, the card's next JSON drops it).
   */
  const shownWithout = (json: CardJson, hidden: readonly string[]): CardJson => {
    if (hidden.length === 0) return json;
    const key = hidden.join('\n');
    if (json.withoutTags?.hidden !== key) json.withoutTags = { hidden: key, card: cardJson(withoutTags(json.json, hidden)) };
    return json.withoutTags.card;
  };

  /** kernel/access.ts's rule on the cached facts, for an author listed for the viewer. */
  const accessOf = (viewerId: string, author: UserCard, facts: PairFacts | undefined) =>
    accessTo({
      actorId: viewerId,
      ownerId: author.facts.id,
      ownerIsPrivate: author.facts.private,
      actorFollowsOwner: facts?.following === true,
      blockedEitherWay: facts?.blockedEitherWay === true,
    });

  /**
   * The live posts of `ids`, their authors listed for the viewer, the viewer's facts with those
   * authors, and the tags hidden from the viewer: the pair facts of the people the posts tag are
   * loaded with the authors' (one query), not one per tag.
   */
  const postsWithAuthors = async (ids: readonly string[], viewerId: string, options: ReadOptions) => {
    const found = await postCards(ids, options);
    const cards = [...found.values()].flatMap((card) => (card ? [card] : []));
    const authorIds = [...new Set(cards.map((card) => card.facts.authorId))];
    const viewer = viewerId.toLowerCase();
    const taggedIds = cards.flatMap((card) => card.facts.standingTags.map((tag) => tag.userId)).filter((id) => id !== viewer);
    const [authors, facts] = await Promise.all([userCards(authorIds, options), pairFacts(viewerId, [...new Set([...authorIds, ...taggedIds])], options)]);
    const withAuthor = (id: string) => {
      const post = found.get(id);
      const author = post ? authors.get(post.facts.authorId) : null;
      if (!post || !author || !listedFor(viewerId, author.facts)) return null;
      const pair = facts.get(author.facts.id);
      return { post, author, access: accessOf(viewerId, author, pair), muting: pair?.muting === true, hidden: hiddenTagsAmong(post.facts, viewer, facts) };
    };
    return withAuthor;
  };

  return {
    knownLive: (postId) => live && posts.peek(postId, now()) != null,
    homePageBody,

    async muting(viewerId, otherId) {
      if (!isUuid(otherId)) return false;
      const other = otherId.toLowerCase();
      return (await pairFacts(viewerId, [other], {})).get(other)?.muting === true;
    },

    async visiblePosts(postIds, viewerId, options = {}) {
      const withoutMuted = options.withoutMuted === true;
      const cached = options.readThrough ? undefined : visibleFromCache(postIds, viewerId, withoutMuted);
      if (cached) return cached;
      const ids = postIds.filter(isUuid).map((id) => id.toLowerCase());
      if (ids.length === 0 || !isUuid(viewerId)) return [];
      const withAuthor = await postsWithAuthors([...new Set(ids)], viewerId, options);
      const shown = ids.flatMap((id) => {
        const found = withAuthor(id);
        if (found?.access !== 'allowed' || (withoutMuted && found.muting)) return [];
        const { facts } = found.post;
        const json = postJsonNow(found.post, found.author);
        const shownAs = (card: CardJson): PostCardJson => {
          const { json, open } = shownWithout(card, found.hidden);
          return { postId: id, json, open, facts };
        };
        return [json !== undefined ? shownAs(json) : postJson(found.post, found.author).then(shownAs)];
      });
      return shown.every((item): item is PostCardJson => !(item instanceof Promise)) ? shown : Promise.all(shown);
    },

    async postFor(postId, viewerId, options = {}) {
      if (!isUuid(postId)) return null;
      const id = postId.toLowerCase();
      const found = (await postsWithAuthors([id], viewerId, options))(id);
      if (!found) return null;
      const json = postJsonNow(found.post, found.author) ?? (await postJson(found.post, found.author));
      return { json: shownWithout(json, found.hidden).json, access: found.access };
    },

    async profileFor(viewerId, username, options = {}) {
      const name = username.toLowerCase();
      const hinted = live && !options.readThrough ? names.hit(name, now()) : undefined;
      const byHint = hinted === undefined ? null : (await userCards([hinted], options)).get(hinted);
      const user = byHint?.facts.username === name ? byHint : await userByName(name, options);
      if (!user) return null;
      const facts = (await pairFacts(viewerId, [user.facts.id], options)).get(user.facts.id) ?? NO_PAIR_FACTS;
      const access: ContentAccess = listedFor(viewerId, user.facts) ? accessOf(viewerId, user, facts) : 'unknown';
      return { json: (await shownUser(user)).profile, access, relationship: { ...facts }, userId: user.facts.id };
    },

    clear,
    get live() {
      return live;
    },
    sizes: () => ({ posts: posts.size, users: users.size, pairs: pairs.size }),
    close: () => unsubscribe?.(),
  };
};
