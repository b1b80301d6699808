import type { ReadModelDump } from '../projections/runtime/read-model.js';

export interface Difference {
  key: string;
  /** The entry in the live generation; null when only the rebuild has it. */
  live: string | null;
  /** The entry in the rebuilt generation; null when only the live one has it. */
  rebuilt: string | null;
}

/** Every entry that is missing on one side or differs, in key order. */
export const compareDumps = (live: ReadModelDump, rebuilt: ReadModelDump): Difference[] => {
  const keys = [...new Set([...live.keys(), ...rebuilt.keys()])].sort();
  return keys
    .map((key) => ({ key, live: live.get(key) ?? null, rebuilt: rebuilt.get(key) ?? null }))
    .filter((entry) => entry.live !== entry.rebuilt);
};
