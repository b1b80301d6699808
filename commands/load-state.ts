import { fold, type Decider } from '../domain/decider.js';
import type { DomainEvent, EventStore, RecordedEvent } from '../events/index.js';

type Folds<State, Event> = Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>;

/**
 * A stream's recorded events, as the events of the decider that owns the stream. The one place
 * the write side asserts what stored events are, and safely: a stream only ever holds its own
 * aggregate's events (events/streams.ts), each checked against its schema at append and upcast
 * to the current version on read.
 */
const asDecidersEvents = <Event extends DomainEvent>(history: readonly RecordedEvent[]): Event[] =>
  history.map(({ type, data }) => ({ type, data }) as Event);

/** The state a stream's recorded history leads to. */
export const foldHistory = <State, Event extends DomainEvent>(decider: Folds<State, Event>, history: readonly RecordedEvent[]): State =>
  fold(decider, asDecidersEvents<Event>(history));

/** Folds one stream into its decider's state: how a handler learns facts from other streams. */
export const loadState = async <State, Event extends DomainEvent>(store: EventStore, streamId: string, decider: Folds<State, Event>): Promise<State> =>
  foldHistory(decider, await store.readStream(streamId));
