import fc from 'fast-check';
import type { RecordedEvent } from '../../events/index.js';
import { toRecordedEvents, type HistoryEvent } from './history-arbitraries.js';

// The property a read model's tests state again and again: however the log is applied (in any
// order the streams allow, at any batch size, with a crash, in partitions, twice), the read model
// ends equal to a fold of the history. A test file says once how to empty its read model and how
// to compare it with the fold; each property says only how it applies the log.

export interface FoldProperty {
  /** A history, and another order the log could hold it in (each stream's order kept). */
  anyLog: fc.Arbitrary<[HistoryEvent[], HistoryEvent[]]>;
  /** Empties the read model and the checkpoints before each run. */
  reset: () => Promise<unknown>;
  /** Asserts that the read model equals the fold of `history`. */
  check: (history: readonly HistoryEvent[]) => Promise<void>;
  /** How many runs, and when to stop shrinking a failure (slow against a real database). */
  runs: { numRuns: number; interruptAfterTimeLimit: number };
}

/** For any log and any `inputs`: from an empty read model, `apply` of the log ends equal to the fold. */
export const assertEndsEqualToFold = <T>(property: FoldProperty, inputs: fc.Arbitrary<T>, apply: (events: RecordedEvent[], input: T) => Promise<unknown>) =>
  fc.assert(
    fc.asyncProperty(property.anyLog, inputs, async ([history, log], input) => {
      await property.reset();
      await apply(toRecordedEvents(log), input);
      await property.check(history);
    }),
    property.runs,
  );
