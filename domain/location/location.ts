import { v5 as uuidv5 } from 'uuid';
import { LOCATION_GRID_DECIMALS } from '../../kernel/limits.js';
import { normalizePlaceName, onPlaceGrid } from '../../kernel/places.js';

// Places a post names (docs/architecture.md "Locations"): deduplicated into locations by a pure
// rule, no stream of their own. A place's key is its normalized name (kernel/places.ts) and, when
// coordinates are given, the coordinates on the place grid; the location id is the UUID v5 of
// that key. The same place always gets the same id, on any instance, in any order, with no
// reservation and so no race (a reservation stream, as usernames have, would serialise every
// post naming a popular place on one stream, and a place is no scarce name to be held).
//
// The price: a place moved a little across a grid line, or given once with and once without
// coordinates, is two locations; the grid is about 110 m (kernel/limits.ts LOCATION_GRID_DECIMALS).

/** A fixed namespace of this platform's location ids (a random v4, chosen once: never change it). */
export const LOCATION_NAMESPACE = '5b0f3c1e-8a3d-4b8e-9d53-7a2f6c9e1b40';

/** What a client gives: the HTTP schema checked the lengths and ranges (commands/http/schemas.ts). */
export interface PlaceInput {
  name: string;
  lat?: number | undefined;
  lon?: number | undefined;
}

/** The location a post carries: its id, the name as given (trimmed), the coordinates on the grid. */
export interface PostLocation {
  id: string;
  name: string;
  lat?: number;
  lon?: number;
}

/** The deduplication key: the normalized name, and the grid coordinates when both are given. */
export const locationKey = (place: PlaceInput): string => {
  const name = normalizePlaceName(place.name);
  if (place.lat === undefined || place.lon === undefined) return `name:${name}`;
  return `name:${name}|at:${onPlaceGrid(place.lat).toFixed(LOCATION_GRID_DECIMALS)},${onPlaceGrid(place.lon).toFixed(LOCATION_GRID_DECIMALS)}`;
};

export const locationIdOf = (place: PlaceInput): string => uuidv5(locationKey(place), LOCATION_NAMESPACE);

/** The location of a post naming `place`. */
export const locationOf = (place: PlaceInput): PostLocation => {
  const name = place.name.replace(/\s+/gu, ' ').trim();
  const at = place.lat !== undefined && place.lon !== undefined ? { lat: onPlaceGrid(place.lat), lon: onPlaceGrid(place.lon) } : {};
  return { id: locationIdOf(place), name, ...at };
};
