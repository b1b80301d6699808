import type { FieldPath, PersonalField } from './personal-fields.js';

// Reading and writing the personal fields of an event's data by path (personal-fields.ts). Pure
// and copy-on-write: the data given is never changed, so an event shared by callers (the
// in-memory store hands out its own objects) stays as it was.

/** One occurrence of a personal field: where it is in the data (keys and array indexes) and its value. */
export type FieldValue = [at: (string | number)[], value: unknown];

// Split once per path: the paths are the few of personal-fields.ts, and every sealed append and
// opened read walks them (splitting them each time was a visible part of create-post's profile).
const segmentsByPath = new Map<FieldPath, readonly string[]>();
const segmentsOf = (path: FieldPath): readonly string[] => {
  let segments = segmentsByPath.get(path);
  if (!segments) {
    segments = path.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));
    if (segmentsByPath.size < 1000) segmentsByPath.set(path, segments);
  }
  return segments;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every place `path` reaches in `data`; an absent field (an optional one, a media item without a URL) is no place. */
const placesOf = (data: unknown, segments: readonly string[], from = 0, at: (string | number)[] = []): (string | number)[][] => {
  if (from === segments.length) return [at];
  const head = segments[from]!;
  if (head === '[]') return Array.isArray(data) ? data.flatMap((item, index) => placesOf(item, segments, from + 1, [...at, index])) : [];
  if (!isRecord(data) || !Object.hasOwn(data, head) || data[head] === undefined) return [];
  return placesOf(data[head], segments, from + 1, [...at, head]);
};

const valueAt = (data: unknown, at: readonly (string | number)[]): unknown =>
  at.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], data);

/** A copy of `data` with `value` at `at`; only the objects and arrays along the way are copied. */
export const withValueAt = (data: unknown, at: readonly (string | number)[], value: unknown): unknown => {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  if (Array.isArray(data)) return data.map((item, index) => (index === head ? withValueAt(item, rest, value) : item));
  if (!isRecord(data)) return data; // the path no longer exists: nothing to put back
  return { ...data, [head]: withValueAt(data[head], rest, value) };
};

/** The personal values present in `data`, in field order. */
export const personalValuesOf = (data: unknown, fields: readonly PersonalField[]): FieldValue[] =>
  fields.flatMap((field) => placesOf(data, segmentsOf(field.path)).map((at): FieldValue => [at, valueAt(data, at)]));

/** `data` with every personal value present replaced by its field's erased value. */
export const erasedData = (data: unknown, fields: readonly PersonalField[]): unknown =>
  fields.reduce((current, field) => placesOf(current, segmentsOf(field.path)).reduce((acc, at) => withValueAt(acc, at, field.erased), current), data);

/** `data` with the values given put back where they were. */
export const restoredData = (data: unknown, values: readonly FieldValue[]): unknown => values.reduce((acc, [at, value]) => withValueAt(acc, at, value), data);

/** The value at a plain dotted path (the subject's id), or undefined. */
export const valueOfPath = (data: unknown, path: FieldPath): unknown => {
  const [at] = placesOf(data, segmentsOf(path));
  return at ? valueAt(data, at) : undefined;
};
