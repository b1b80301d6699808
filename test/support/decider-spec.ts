import { expect } from 'vitest';
import { fold, type Decider } from '../../domain/decider.js';
import { AppError, type ErrorCode, type ErrorStatus } from '../../kernel/errors.js';

// Given/when/then for any decider:
//   const { given } = deciderSpec(followDecider);
//   given([followed]).when(unfollow).then([unfollowed]);
//   given([]).when(followSelf).then(failsWith(422, 'CANNOT_FOLLOW_SELF'));

export interface ExpectedError {
  status: ErrorStatus;
  code: ErrorCode;
}

export const failsWith = (status: ErrorStatus, code: ErrorCode): ExpectedError => ({ status, code });

/** Runs decide and returns what it threw, or fails the test when it threw nothing or a non-domain error. */
export const domainErrorOf = (run: () => unknown): AppError => {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an AppError to be thrown').toBeInstanceOf(AppError);
  return thrown as AppError;
};

export const deciderSpec = <Command, State, Event>(decider: Decider<Command, State, Event>) => ({
  given: (history: readonly Event[]) => ({
    when: (command: Command) => ({
      then: (expected: readonly Event[] | ExpectedError): void => {
        const state = fold(decider, history);
        if (Array.isArray(expected)) {
          expect(decider.decide(command, state)).toEqual(expected);
          return;
        }
        const error = domainErrorOf(() => decider.decide(command, state));
        expect({ status: error.status, code: error.code }).toEqual(expected);
      },
    }),
  }),
});

export interface Step<Command, State, Event> {
  command: Command;
  before: State;
  /** What decide emitted; empty when it refused. */
  events: Event[];
  /** The domain error when decide refused the command. */
  refused: AppError | null;
  after: State;
}

/**
 * Feeds commands through a decider the way a command handler would (decide, then evolve the
 * emitted events), keeping each step so properties can inspect decisions and transitions.
 * Refused commands change nothing; any other throw is a bug and propagates.
 */
export const runCommands = <Command, State, Event>(
  decider: Decider<Command, State, Event>,
  commands: readonly Command[],
  start: State = decider.initialState(),
): { steps: Step<Command, State, Event>[]; history: Event[]; state: State } => {
  const steps: Step<Command, State, Event>[] = [];
  const history: Event[] = [];
  let state = start;
  for (const command of commands) {
    const before = state;
    let events: Event[] = [];
    let refused: AppError | null = null;
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refused = error;
    }
    state = fold(decider, events, state);
    history.push(...events);
    steps.push({ command, before, events, refused, after: state });
  }
  return { steps, history, state };
};
