// A decider is three pure functions, nothing more: no I/O, no clock, no id generation.
// Whatever a decision needs from outside (the time, new ids, facts from other streams) comes in
// on the command.
export interface Decider<Command, State, Event> {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

export const fold = <State, Event>(decider: Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>, events: readonly Event[]): State =>
  events.reduce(decider.evolve, decider.initialState());
