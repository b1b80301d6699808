import { LOCATION_GRID_DECIMALS } from './limits.js';

// How a place name and its coordinates are compared (docs/architecture.md "Locations"): the one
// home of the normalization both the write side (the location id, domain/location/location.ts)
// and the search read model (matching place names) use.

// Latin, Greek and Cyrillic combining diacritics only: marks of other scripts (Devanagari vowel
// signs, Thai tone marks) are letters of the word, and stripping them would merge distinct names.
const DIACRITICS = /[\u0300-\u036f]/g;

/**
 * A place name as places are told apart: NFKC (compatibility forms: full-width letters,
 * ligatures), accents of Latin letters stripped ("Café" and "Cafe" are one place: people type
 * either), case-folded, runs of white space collapsed to one space, trimmed.
 */
export const normalizePlaceName = (name: string): string =>
  name
    .normalize('NFKC')
    // Case-folded before the accents go: 'İ' lowercases to 'i' and a combining dot.
    .toLowerCase()
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();

const GRID = 10 ** LOCATION_GRID_DECIMALS;

/** A coordinate on the place grid (LOCATION_GRID_DECIMALS decimals); -0 is 0. */
export const onPlaceGrid = (degrees: number): number => Math.round(degrees * GRID) / GRID + 0;

const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance between two points, in km (haversine). */
export const distanceKm = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => {
  const dLat = radians(b.lat - a.lat);
  const dLon = radians(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
};
