import type { z } from 'zod';
import type { PostCreatedV1 } from './post-events.js';
import { currentVersion, isEventType } from './registry.js';

// Upcasters turn data stored under an old schema version into the next version, one step at
// a time, when events are read; the stored rows are never rewritten.
type Upcaster = (data: unknown) => unknown;

const upcasters: Record<string, Record<number, Upcaster>> = {
  PostCreated: {
    // v1 -> v2: the single image became a list of media items.
    1: (data) => {
      const { imageUrl, ...rest } = data as z.infer<typeof PostCreatedV1>;
      return { ...rest, media: [{ url: imageUrl, type: 'image' }] };
    },
    // v2 -> v3: locations came; a post stored before them names no place (the field is optional).
    2: (data) => data,
  },
};

export class UnknownEventVersionError extends Error {
  constructor(type: string, version: number) {
    super(`no upcaster for ${type} v${version}`);
    this.name = 'UnknownEventVersionError';
  }
}

/** Brings stored data of `type` at `version` up to the current version. */
export const upcast = (type: string, version: number, data: unknown): { version: number; data: unknown } => {
  if (!isEventType(type)) return { version, data };
  const target = currentVersion(type);
  let current = data;
  for (let v = version; v < target; v++) {
    const step = upcasters[type]?.[v];
    if (!step) throw new UnknownEventVersionError(type, v);
    current = step(current);
  }
  return { version: Math.max(version, target), data: current };
};
