import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fold, type Decider } from '../../domain/decider.js';
import { eventSchemas, type DomainEvent } from '../../events/registry.js';
import { runCommands } from './decider-spec.js';

// The two laws of docs/rules.md that hold for every decider, stated once and run against each:
// folding a stream's events always rebuilds the same state, and decide never emits an event
// that evolve (the state machine) or the event's schema would reject.

export interface LawSubject<Command, State, Event extends DomainEvent> {
  decider: Decider<Command, State, Event>;
  /** The decider's strict transition check (evolve itself is lenient towards stored history). */
  canApply: (state: State, event: Event) => boolean;
  /** Command sequences against one stream, mixing accepted and refused commands. */
  commands: fc.Arbitrary<Command[]>;
}

const runs = { numRuns: 150 };

export const schemaAccepts = (event: DomainEvent): boolean => eventSchemas[event.type].schema.safeParse(event.data).success;

export const itObeysTheDeciderLaws = <Command, State, Event extends DomainEvent>({
  decider,
  canApply,
  commands,
}: LawSubject<Command, State, Event>): void => {
  it('decide never emits an event that evolve or the event schema rejects', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        for (const step of runCommands(decider, cmds).steps) {
          let state = step.before;
          for (const event of step.events) {
            expect(canApply(state, event), `${event.type} after ${JSON.stringify(state)}`).toBe(true);
            expect(schemaAccepts(event), `${event.type} data ${JSON.stringify(event.data)}`).toBe(true);
            state = decider.evolve(state, event);
          }
        }
      }),
      runs,
    );
  });

  it("folding a stream's events always rebuilds the state reached step by step, from any split point", () => {
    fc.assert(
      fc.property(commands, fc.nat(), (cmds, cut) => {
        const { steps, history, state } = runCommands(decider, cmds);
        const frozen = structuredClone(history);
        let seen = 0;
        for (const step of steps) {
          seen += step.events.length;
          expect(fold(decider, history.slice(0, seen))).toEqual(step.after);
        }
        // Resuming from a snapshot (fold a prefix, then the rest) is the same as folding it all.
        const at = history.length === 0 ? 0 : cut % (history.length + 1);
        const resumed = fold(decider, history.slice(at), fold(decider, history.slice(0, at)));
        expect(resumed).toEqual(state);
        expect(fold(decider, history)).toEqual(state);
        // Folding reads the events; it never changes them.
        expect(history).toEqual(frozen);
      }),
      runs,
    );
  });
};
