import type { EventsOf, EventType, Position, RecordedEvent } from '../../events/index.js';
import { accountLifecycleEvents, commentEvents, likeEvents, postEvents, profileEvents } from '../runtime/event-families.js';
import type { Page, PageRequest } from '../runtime/page.js';
import { isHashtagLength } from '../../kernel/limits.js';

// For adapter authors: what the contract suite (test/integration/search-store.contract.ts) pins
// down beyond the comments on the port below:
// - Query text: trimmed and lowercased by the store; a leading '@' (users) or '#' (hashtags, tags)
//   is dropped. Tags are stored as the events carry them (lowercase, no '#').
// - 'top' = engagement desc (likes + 2 x comments, explore-score.ts `engagement`), ties newest
//   first; 'recent' = createdAt desc, ties by post id desc. Likes and comments may arrive before
//   their PostCreated (other streams) and must still count; deleted posts never come back.
// - suggestHashtags: only tags with at least one live post; ties on the count by tag ascending.
// - explore: a post is in the window when createdAt > now - windowDays (default 7); ties by id
//   desc; the cursor carries `now`, so later pages rank at the first page's instant.
// - A cursor the list did not hand out throws AppError('INVALID_CURSOR') (runtime/page.ts).
// - Typos: one edit for words of 3 to 5 characters, two from 6 (Elasticsearch's AUTO).
// - Idempotence: re-applying a batch, or an older batch after newer ones, changes nothing.
// - Places (locations): a location is found (searchPlaces, location) only while at least one
//   live post of a public, listed author carries it; postCount counts exactly those posts; its
//   name is the least (code point order) of their names as given, its coordinates the grid ones
//   the posts carry. 'recent' and 'top' location pages order as hashtag pages do.
// - Accounts in their deletion grace (AccountDeletionRequested, until AccountRestored) are found
//   by no query: not among users, and none of their posts in text search, hashtag pages ('recent',
//   'top'), explore, suggestions or counts; a restore brings all back. AccountErased blanks the
//   user for good (no username, no name: found by nothing, the name free for another account);
//   the posts go through their own PostDeleted. The blank stays as a tombstone rather than being
//   deleted, so that an older batch applied after it cannot bring the user back.

// The search read model (docs/architecture.md "Search"): users by username and name with autocomplete and
// typo tolerance, posts by caption and hashtag, hashtag counts, and the explore ranking. One
// port, two adapters in folders beside it (elasticsearch/; postgres/, full-text + pg_trgm where
// Elasticsearch is not configured), one contract suite (test/integration/search-store.contract.ts).
//
// The store indexes what the log says; who may see what is the read path's job (read-api/), which
// drops private, blocked and deleted content from every answer whatever the index still holds.

/**
 * The tags a post is indexed under: those of at most HASHTAG_MAX_LENGTH (kernel/limits.ts). The
 * domain never extracts a longer one and the event schema refuses it at append; this guard keeps
 * an event stored before the limit from stopping a projection (a PostgreSQL lexeme is at most
 * 2,047 bytes, a btree entry about 2,700). Captions need no guard: to_tsvector skips a word over
 * the limit, and Elasticsearch's tokenizers split one (the standard tokenizer at 255 characters).
 */
export const indexedHashtags = (tags: readonly string[]): string[] => tags.filter(isHashtagLength);

export const searchEventTypes = [...profileEvents, ...accountLifecycleEvents, ...postEvents, ...likeEvents, ...commentEvents] as const satisfies readonly EventType[];

export type SearchEventType = (typeof searchEventTypes)[number];
/** A search event as a string-literal union on `type` (what the contract suite builds). */
export type SearchEvent = EventsOf<SearchEventType>;

export interface UserHit {
  id: string;
  username: string;
  displayName: string;
}

export interface HashtagCount {
  tag: string;
  /** Live (not deleted) posts carrying the tag. */
  posts: number;
}

/** A place as search shows it: the location, and how many live posts of public accounts carry it. */
export interface PlaceHit {
  id: string;
  name: string;
  lat?: number;
  lon?: number;
  postCount: number;
}

export interface PlaceQuery {
  /** The name, typos allowed (place-ranking.ts decides what matches). */
  text: string;
  /** Only places within `radiusKm` of the point (great-circle), nearest first. */
  near?: { lat: number; lon: number; radiusKm: number } | undefined;
  limit: number;
}

export interface UserQuery {
  text: string;
  /** Autocomplete: the text is the beginning of a username or name (edge n-grams / prefix). */
  prefix: boolean;
  /** Accounts the caller follows rank right after exact username matches. */
  followingIds: readonly string[];
  limit: number;
}

export interface SearchStore {
  /** Creates indexes/templates/tables and aliases; idempotent. */
  setup(): Promise<void>;
  /** Applies a batch (idempotent: the event's global position guards every write) and stores the checkpoint. */
  apply(events: readonly RecordedEvent[], checkpointKey: string, position: Position): Promise<void>;
  checkpoint(checkpointKey: string): Promise<Position>;

  /** Exact username match first, then followed accounts, then by relevance; typos up to edit distance 2. */
  searchUsers(query: UserQuery): Promise<UserHit[]>;
  /** Post ids matching caption text (analyzed) or hashtags, best first. */
  searchPosts(text: string, page: PageRequest): Promise<Page<string>>;
  /** Post ids carrying `tag`: newest first ('recent') or by engagement ('top'). */
  postsByHashtag(tag: string, sort: 'recent' | 'top', page: PageRequest): Promise<Page<string>>;
  /** Places by name (typos allowed), best match first; with `near`, those within its radius, nearest first. */
  searchPlaces(query: PlaceQuery): Promise<PlaceHit[]>;
  /** One location, or null when no live post of a public account carries it. */
  location(id: string): Promise<PlaceHit | null>;
  /** Post ids carrying the location: newest first ('recent') or by engagement ('top'). */
  postsByLocation(id: string, sort: 'recent' | 'top', page: PageRequest): Promise<Page<string>>;
  /** Hashtags starting with (or within edit distance 2 of) `text`, most used first. */
  suggestHashtags(text: string, limit: number): Promise<HashtagCount[]>;
  /**
   * Recent popular posts, by score = (1 + likes + 2 x comments) / (hours since posted + 2)^1.5,
   * computed at `now`, over posts of the last `windowDays` days; best first.
   */
  explore(now: Date, page: PageRequest, windowDays?: number): Promise<Page<string>>;
}
