// A decider is three pure functions, nothing more: no I/O, no clock, no id generation.
// Whatever a decision needs from outside (the time, new ids, facts from other streams) comes in
// on the command.
export interface Decider<Command, State, Event> {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
  /** Declared by an aggregate whose stream can grow without bound: its state may be snapshotted. */
  snapshot?: SnapshotPolicy;
}

/**
 * How an aggregate's state is snapshotted (commands/load-state.ts). The state must be plain JSON
 * (what a fold of stored events gives). `key` names the state's shape, e.g. 'post.v1': bump it
 * whenever the state type or the meaning of a field changes, so that snapshots of the old shape
 * are ignored (the streams are folded whole again, then snapshotted under the new key).
 */
export interface SnapshotPolicy {
  key: string;
}

/**
 * An aggregate's state machine, strict: the state an event leads to, or null when decide could
 * never have emitted that event from this state.
 */
export type Transition<State, Event> = (state: State, event: Event) => State | null;

/**
 * The decider's `evolve` built from its strict transition, and `canApply`, the strictness itself,
 * which the law tests (test/support/decider-laws.ts) hold every decision to.
 */
export const fromTransition = <State, Event>(transition: Transition<State, Event>) => ({
  // Lenient: a stored history is a fact, so an event that makes no sense here is skipped
  // rather than breaking every later read of the stream.
  evolve: (state: State, event: Event): State => transition(state, event) ?? state,
  canApply: (state: State, event: Event): boolean => transition(state, event) !== null,
});

/** The state `events` lead to, from the initial state or from a state already folded (`from`). */
export const fold = <State, Event>(
  decider: Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State => events.reduce(decider.evolve, from);

/**
 * The `default` of a decide's switch over its commands: a command type left unhandled fails to
 * compile. Pass the command, or its `type` when the aggregate has a single command.
 */
export const unhandled = (command: never): never => {
  throw new Error(`unhandled command ${JSON.stringify(command)}`);
};
