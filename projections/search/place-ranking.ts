import { distanceKm, normalizePlaceName } from '../../kernel/places.js';
import type { PlaceHit, PlaceQuery } from './search-store.js';
import { typoDistance } from './text-match.js';

// Which candidate places match a query, and in what order: the one rule both adapters apply to
// the candidates their indexes propose (as user-ranking.ts does for users). Names are compared
// as locations are told apart (kernel/places.ts normalizePlaceName: accents stripped, case-folded).
//
// A place matches when every word of the query is a word of the name, starts one, or is within
// its typo allowance of one (text-match.ts, Elasticsearch's AUTO). Quality, best first: the name
// itself; the name starting with the query; every word exact; exact or prefix; then typos, fewer
// edits first. Without `near`: quality, then more posts, then name, then id. With `near`: only
// places with coordinates within the radius, nearest first, then quality, posts, name, id.

const wordsOfName = (name: string): string[] => name.split(' ').filter(Boolean);

/** Lower is better; null when the name does not match the (normalized) query at all. */
export const placeMatchQuality = (query: string, name: string): number | null => {
  const key = normalizePlaceName(name);
  if (query === '') return null;
  if (key === query) return 0;
  if (key.startsWith(query)) return 1;
  const words = wordsOfName(key);
  let quality = 2;
  for (const word of wordsOfName(query)) {
    if (words.includes(word)) continue;
    if (words.some((w) => w.startsWith(word))) {
      quality = Math.max(quality, 2.5);
      continue;
    }
    const distances = words.map((w) => typoDistance(word, w)).filter((d): d is number => d !== null);
    if (distances.length === 0) return null;
    quality = Math.max(quality, 3) + Math.min(...distances);
  }
  return quality;
};

/** The matching candidates (deduplicated by id), ranked, at most `limit`. */
export const rankPlaces = (candidates: readonly PlaceHit[], query: PlaceQuery, limit: number): PlaceHit[] => {
  const text = normalizePlaceName(query.text);
  const seen = new Set<string>();
  const ranked: { hit: PlaceHit; quality: number; distance: number }[] = [];
  for (const hit of candidates) {
    if (seen.has(hit.id)) continue;
    seen.add(hit.id);
    const quality = placeMatchQuality(text, hit.name);
    if (quality === null) continue;
    let distance = 0;
    if (query.near) {
      if (hit.lat === undefined || hit.lon === undefined) continue;
      distance = distanceKm(query.near, { lat: hit.lat, lon: hit.lon });
      if (distance > query.near.radiusKm) continue;
    }
    ranked.push({ hit, quality, distance });
  }
  ranked.sort(
    (a, b) =>
      a.distance - b.distance ||
      a.quality - b.quality ||
      b.hit.postCount - a.hit.postCount ||
      (a.hit.name < b.hit.name ? -1 : a.hit.name > b.hit.name ? 1 : 0) ||
      (a.hit.id < b.hit.id ? -1 : 1),
  );
  return ranked.slice(0, Math.max(0, Math.trunc(limit))).map((entry) => entry.hit);
};
