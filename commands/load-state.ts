import type { Decider } from '../domain/decider.js';
import type { DomainEvent, EventStore } from '../events/index.js';

/** Folds one stream into its decider's state: how a handler learns facts from other streams. */
export const loadState = async <State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>,
): Promise<State> => {
  const history = await store.readStream(streamId);
  return history.reduce((state, e) => decider.evolve(state, { type: e.type, data: e.data } as Event), decider.initialState());
};
