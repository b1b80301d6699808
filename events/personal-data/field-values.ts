import type { FieldPath, PersonalField } from './personal-fields.js';

// Reading and writing the personal fields of an event's data by path (personal-fields.ts). Pure
// and copy-on-write: the data given is never changed, so an event shared by callers (the
// in-memory store hands out its own objects) stays as it was. A pass over several fields copies
// each object or array on the way once (not once per field).

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

/**
 * Each place `segments` reaches in `data` (from `from` on, `at` being the way there), with its
 * value, pushed to `out`; an absent field (an optional one, a media item without a URL) is no
 * place. One path stack for the walk, copied only at the places found: sealing runs this for
 * every event with personal fields (create-post's profile showed the copies of the old walk).
 */
const collectPlaces = (data: unknown, segments: readonly string[], from: number, at: (string | number)[], out: FieldValue[]): void => {
  if (from === segments.length) {
    out.push([at.slice(), data]);
    return;
  }
  const head = segments[from]!;
  if (head === '[]') {
    if (!Array.isArray(data)) return;
    for (let index = 0; index < data.length; index++) {
      at.push(index);
      collectPlaces(data[index], segments, from + 1, at, out);
      at.pop();
    }
    return;
  }
  if (!isRecord(data) || !Object.hasOwn(data, head) || data[head] === undefined) return;
  at.push(head);
  collectPlaces(data[head], segments, from + 1, at, out);
  at.pop();
};

/**
 * Copy-on-write for one pass of changes: `own` gives a copy of an object or array the first time
 * the pass touches it, and that same copy afterwards, so that several fields under one object
 * copy it once, and the data given is never changed.
 */
const copyOnWrite = () => {
  const copies = new Set<unknown>();
  return <T extends object>(value: T): T => {
    if (copies.has(value)) return value;
    const copy = (Array.isArray(value) ? value.slice() : { ...value }) as T;
    copies.add(copy);
    return copy;
  };
};
type Own = ReturnType<typeof copyOnWrite>;

/** `data` with `erased` at every place `segments` reaches (from `from` on); the containers on the way copied through `own`. */
const eraseAt = (data: unknown, segments: readonly string[], from: number, erased: unknown, own: Own): unknown => {
  if (from === segments.length) return erased;
  const head = segments[from]!;
  if (head === '[]') {
    if (!Array.isArray(data) || data.length === 0) return data;
    const copy = own(data);
    for (let index = 0; index < copy.length; index++) copy[index] = eraseAt(copy[index], segments, from + 1, erased, own);
    return copy;
  }
  if (!isRecord(data) || !Object.hasOwn(data, head) || data[head] === undefined) return data;
  const copy = own(data);
  copy[head] = eraseAt(copy[head], segments, from + 1, erased, own);
  return copy;
};

/** `data` with `value` at `at` (keys and indexes); the containers on the way copied through `own`. A path that no longer exists puts nothing back. */
const putAt = (data: unknown, at: readonly (string | number)[], from: number, value: unknown, own: Own): unknown => {
  if (from === at.length) return value;
  const head = at[from]!;
  if (Array.isArray(data)) {
    if (typeof head !== 'number' || head >= data.length) return data;
    const copy = own(data);
    copy[head] = putAt(copy[head], at, from + 1, value, own);
    return copy;
  }
  if (!isRecord(data)) return data;
  const copy = own(data);
  copy[head] = putAt(copy[head], at, from + 1, value, own);
  return copy;
};

/** The personal values present in `data`, in field order. */
export const personalValuesOf = (data: unknown, fields: readonly PersonalField[]): FieldValue[] => {
  const out: FieldValue[] = [];
  for (const field of fields) collectPlaces(data, segmentsOf(field.path), 0, [], out);
  return out;
};

/** `data` with every personal value present replaced by its field's erased value. */
export const erasedData = (data: unknown, fields: readonly PersonalField[]): unknown => {
  const own = copyOnWrite();
  return fields.reduce((current, field) => eraseAt(current, segmentsOf(field.path), 0, field.erased, own), data);
};

/** `data` with the values given put back where they were. */
export const restoredData = (data: unknown, values: readonly FieldValue[]): unknown => {
  const own = copyOnWrite();
  return values.reduce((current, [at, value]) => putAt(current, at, 0, value, own), data);
};

/** The value at a plain dotted path (the subject's id), or undefined. */
export const valueOfPath = (data: unknown, path: FieldPath): unknown => {
  const out: FieldValue[] = [];
  collectPlaces(data, segmentsOf(path), 0, [], out);
  return out[0]?.[1];
};
