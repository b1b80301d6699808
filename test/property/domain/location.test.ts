import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locationIdOf, locationKey, locationOf, type PlaceInput } from '../../../domain/location/location.js';
import { normalizePlaceName, onPlaceGrid } from '../../../kernel/places.js';
import { postLocation } from '../../../events/post-events.js';

const runs = { numRuns: 300 };

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const name = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const lon = fc.double({ min: -180, max: 180, noNaN: true });
const place: fc.Arbitrary<PlaceInput> = fc.record({ name, lat: fc.option(lat, { nil: undefined }) }).chain(({ name, lat }) =>
  lat === undefined ? fc.constant<PlaceInput>({ name }) : lon.map((lon): PlaceInput => ({ name, lat, lon })),
);

/** The same name as people type it: other case, extra spaces, accents on its vowels. */
const respelled = (text: string) =>
  fc
    .record({ upper: fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }), pad: fc.constantFrom('', ' ', '  ', '\t'), accent: fc.boolean() })
    .map(({ upper, pad, accent }) => {
      const cased = [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      const accented = accent ? cased.replace(/e/g, 'é').replace(/A/g, 'À') : cased;
      return `${pad}${accented.replace(/ /g, `${pad} `)}${pad}`;
    });

describe('location deduplication (docs/architecture.md "Locations")', () => {
  it('the same place always gets the same id (deterministic)', () => {
    fc.assert(
      fc.property(place, (p) => {
        expect(locationIdOf(p)).toBe(locationIdOf({ ...p }));
        expect(locationOf(p).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
      runs,
    );
  });

  it('the id does not depend on case, white space or accents', () => {
    fc.assert(
      fc.property(
        place.chain((p) => respelled(p.name).map((other) => [p, { ...p, name: other }] as const)),
        ([p, q]) => {
          expect(locationIdOf(q)).toBe(locationIdOf(p));
        },
      ),
      runs,
    );
  });

  it('different names get different ids; so do the same name with and without coordinates, or on other grid points', () => {
    fc.assert(
      fc.property(name, name, lat, lon, (a, b, la, lo) => {
        fc.pre(normalizePlaceName(a) !== normalizePlaceName(b));
        expect(locationIdOf({ name: a })).not.toBe(locationIdOf({ name: b }));
        expect(locationIdOf({ name: a, lat: la, lon: lo })).not.toBe(locationIdOf({ name: b, lat: la, lon: lo }));
        expect(locationIdOf({ name: a, lat: la, lon: lo })).not.toBe(locationIdOf({ name: a }));
        const moved = { name: a, lat: la > 0 ? la - 0.01 : la + 0.01, lon: lo };
        expect(locationIdOf(moved)).not.toBe(locationIdOf({ name: a, lat: la, lon: lo }));
      }),
      runs,
    );
  });

  it('points within one grid cell are one place; the location carries the grid point and a contract-valid shape', () => {
    fc.assert(
      fc.property(place, fc.double({ min: -0.0004, max: 0.0004, noNaN: true }), (p, nudge) => {
        const located = locationOf(p);
        expect(postLocation.safeParse(located).success).toBe(true);
        if (p.lat === undefined || p.lon === undefined) {
          expect(located).toEqual({ id: located.id, name: p.name });
          return;
        }
        expect(located.lat).toBe(onPlaceGrid(p.lat));
        expect(located.lon).toBe(onPlaceGrid(p.lon));
        // A point that rounds to the same grid point is the same place.
        const near = { ...p, lat: Math.max(-90, Math.min(90, p.lat + nudge)) };
        if (onPlaceGrid(near.lat) === onPlaceGrid(p.lat)) expect(locationIdOf(near)).toBe(located.id);
        expect(locationKey(p)).toContain(normalizePlaceName(p.name));
      }),
      runs,
    );
  });

  it('normalizing is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('İstanbul', 'ＣＡＦÉ', 'Ǆemal', 'ﬁre')), (text) => {
        expect(normalizePlaceName(normalizePlaceName(text))).toBe(normalizePlaceName(text));
      }),
      runs,
    );
  });
});
