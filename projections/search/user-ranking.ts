import type { UserHit } from './search-store.js';
import { typoDistance, wordsOf } from './text-match.js';

// Which candidate users match a query, and in what order (the port's promise: the exact username
// first, then accounts the caller follows, then by relevance). The database only proposes
// candidates (exact, prefix and trigram-nearest); the rule is decided here, on plain values.
//
// Relevance, best first: the username itself; a username starting with the text (autocomplete);
// a word of the name equal to (or, for autocomplete, starting with) the text; then typos, fewer
// edits first, a username before a name. Ties: shorter username, then alphabetical.
//
// With the accounts' standing (the search route passes it, from the profiles read model: the
// search stores hold neither badge nor follower count), within each tier and within the true
// matches (every quality short of a typo) and within the typos: verified accounts first, then
// more followers, then relevance as above. So an exact username still comes first and a followed
// account second, and a famous account is not pushed under a stranger's near-identical name.

/** What ranks an account among equally good matches: the operator's badge, then its audience. */
export interface Standing {
  verified: boolean;
  followerCount: number;
}

const NO_STANDING: Standing = { verified: false, followerCount: 0 };
/** Qualities from here on are typos (matchQuality): a true match, however obscure, comes before them. */
const FIRST_TYPO_QUALITY = 3;

export interface UserMatchQuery {
  /** Normalized (text-match.ts normalizeQuery). */
  text: string;
  prefix: boolean;
  followingIds: ReadonlySet<string>;
}

/** Lower is better; null when the user does not match at all. */
export const matchQuality = (user: UserHit, query: UserMatchQuery): number | null => {
  const { text, prefix } = query;
  if (text === '') return null;
  const username = user.username.toLowerCase();
  const name = user.displayName.toLowerCase().trim();
  const words = wordsOf(name);
  if (username === text) return 0;
  if (prefix && username.startsWith(text)) return 1;
  if (name === text || words.includes(text)) return 2;
  if (prefix && (name.startsWith(text) || words.some((word) => word.startsWith(text)))) return 2.5;
  const usernameTypos = typoDistance(text, username);
  const nameTypos = [name, ...words].map((word) => typoDistance(text, word)).filter((d): d is number => d !== null);
  const qualities = [...(usernameTypos === null ? [] : [3 + usernameTypos]), ...nameTypos.map((d) => 3.5 + d)];
  return qualities.length > 0 ? Math.min(...qualities) : null;
};

/** The matching candidates, ranked, at most `limit`; `standings` by user id (none: all equal). */
export const rankUsers = (candidates: readonly UserHit[], query: UserMatchQuery, limit: number, standings?: ReadonlyMap<string, Standing>): UserHit[] => {
  const seen = new Set<string>();
  const ranked: { hit: UserHit; tier: number; typo: boolean; quality: number; standing: Standing }[] = [];
  for (const hit of candidates) {
    if (seen.has(hit.id)) continue;
    seen.add(hit.id);
    const quality = matchQuality(hit, query);
    if (quality === null) continue;
    const tier = quality === 0 ? 0 : query.followingIds.has(hit.id) ? 1 : 2;
    ranked.push({ hit, tier, typo: quality >= FIRST_TYPO_QUALITY, quality, standing: standings?.get(hit.id) ?? NO_STANDING });
  }
  ranked.sort(
    (a, b) =>
      a.tier - b.tier ||
      Number(a.typo) - Number(b.typo) ||
      Number(b.standing.verified) - Number(a.standing.verified) ||
      b.standing.followerCount - a.standing.followerCount ||
      a.quality - b.quality ||
      a.hit.username.length - b.hit.username.length ||
      (a.hit.username < b.hit.username ? -1 : a.hit.username > b.hit.username ? 1 : 0),
  );
  return ranked.slice(0, limit).map((entry) => entry.hit);
};
