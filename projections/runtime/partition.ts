// Partitioning a projection by stream: each of `count` instances applies only the events of the
// streams that hash to its index, so every event reaches exactly one instance and one stream's
// events stay in order on one instance. The hash must never change: a different hash would move
// streams between instances whose checkpoints were stored under the old split.

export interface Partition {
  /** This instance, 0 to count - 1. */
  index: number;
  count: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes of `text`: stable across processes and versions of Node. */
export const fnv1a = (text: string): number => {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
};

export const partitionOf = (streamId: string, count: number): number => fnv1a(streamId) % count;

export const assertPartition = ({ index, count }: Partition): void => {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`partition count must be a whole number >= 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`partition index must be in 0..${count - 1}, got ${index}`);
};

/** The checkpoint key of one instance: the projection's name, or `${name}#${index}/${count}` for a partition. */
export const checkpointKeyOf = (name: string, partition?: Partition): string =>
  partition ? `${name}#${partition.index}/${partition.count}` : name;

/** The checkpoint keys of every instance of a projection run as `count` partitions (or unpartitioned when omitted). */
export const checkpointKeysOf = (name: string, count?: number): string[] =>
  count === undefined ? [name] : Array.from({ length: count }, (_, index) => checkpointKeyOf(name, { index, count }));
