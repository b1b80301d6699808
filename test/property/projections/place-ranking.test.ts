import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceKm, normalizePlaceName } from '../../../kernel/places.js';
import { placeMatchQuality, rankPlaces } from '../../../projections/search/place-ranking.js';
import type { PlaceHit } from '../../../projections/search/search-store.js';

// The one rule both search adapters apply to the places their indexes propose (place-ranking.ts).

const letters = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'é'), minLength: 1, maxLength: 7 });
const name = fc.array(letters, { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
const point = fc.record({ lat: fc.double({ min: -60, max: 60, noNaN: true }), lon: fc.double({ min: -170, max: 170, noNaN: true }) });
const hit = fc.record({ id: fc.uuid(), name, postCount: fc.integer({ min: 1, max: 50 }) }).chain((h) =>
  fc.option(point, { nil: undefined }).map((at): PlaceHit => ({ ...h, ...at })),
);

describe('place matching and ranking', () => {
  it('a name matches itself, in any case and spacing, at the best quality', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(placeMatchQuality(normalizePlaceName(`  ${n.toUpperCase()} `), n)).toBe(0);
      }),
    );
  });

  it('one typo in a word of 3 to 5 letters still matches, none in a word of 1 or 2, and an unrelated word never does', () => {
    expect(placeMatchQuality('flroe', 'Café de Flore')).not.toBeNull();
    expect(placeMatchQuality('cafe de flroe', 'Café de Flore')).not.toBeNull();
    expect(placeMatchQuality('xe', 'Café de Flore')).toBeNull();
    expect(placeMatchQuality('louvre', 'Café de Flore')).toBeNull();
    expect(placeMatchQuality('flore', 'Café de Flore')! < placeMatchQuality('flroe', 'Café de Flore')!).toBe(true);
  });

  it('with a point: only places within the radius, nearest first; without: by quality, then more posts', () => {
    fc.assert(
      fc.property(fc.array(hit, { maxLength: 15 }), point, fc.integer({ min: 1, max: 5000 }), (hits, at, radiusKm) => {
        const query = { text: hits[0]?.name ?? 'a', near: { ...at, radiusKm }, limit: 100 };
        const ranked = rankPlaces(hits, query, 100);
        const distances = ranked.map((h) => distanceKm(at, { lat: h.lat!, lon: h.lon! }));
        for (const d of distances) expect(d).toBeLessThanOrEqual(radiusKm);
        expect([...distances].sort((a, b) => a - b)).toEqual(distances);
        for (const h of hits) {
          const expectedIn =
            h.lat !== undefined && placeMatchQuality(normalizePlaceName(query.text), h.name) !== null && distanceKm(at, { lat: h.lat, lon: h.lon! }) <= radiusKm;
          if (hits.findIndex((other) => other.id === h.id) === hits.indexOf(h)) expect(ranked.some((r) => r.id === h.id)).toBe(expectedIn);
        }
        const byName = rankPlaces(hits, { text: query.text, limit: 100 }, 100);
        const qualities = byName.map((h) => placeMatchQuality(normalizePlaceName(query.text), h.name)!);
        expect([...qualities].sort((a, b) => a - b)).toEqual(qualities);
      }),
      { numRuns: 200 },
    );
  });
});
