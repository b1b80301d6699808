import { fold, type Decider } from '../domain/decider.js';
import type { DomainEvent, EventStore, Position, RecordedEvent } from '../events/index.js';

type Folds<State, Event> = Pick<Decider<never, State, Event>, 'evolve' | 'initialState' | 'snapshot'>;

/**
 * Events folded past a snapshot (or in a stream without one) above which the write side saves a
 * new snapshot: the one bound on the events any command reads from one stream. 64 small events are
 * a few kilobytes and well under a millisecond to fold, so a read never costs much more than the
 * snapshot row itself; snapshotting more often would add a write to most commands on a growing
 * stream for no measurable gain (one save per 64 events, amortised, is under 2 % more writes).
 */
export const SNAPSHOT_AFTER_EVENTS = 64;

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

/** A stream as the write side read it. */
export interface LoadedStream<State> {
  state: State;
  /** The revision of the last event folded into `state`; -1 when the stream does not exist. */
  revision: number;
  /** That event's global position; undefined when the stream does not exist. */
  position: Position | undefined;
  /** Events read and folded: past the snapshot, or the whole stream without one. */
  eventsFolded: number;
}

/** What a stream that does not exist (or is known not to) loads as. */
export const emptyStream = <State, Event>(decider: Folds<State, Event>): LoadedStream<State> => ({
  state: decider.initialState(),
  revision: -1,
  position: undefined,
  eventsFolded: 0,
});

/**
 * Reads a stream into its decider's state: from its snapshot and the events after it when the
 * decider declares a snapshot key and the store offers snapshots (one round trip), else the whole
 * stream. A snapshot under another key is never returned, so a bumped key folds streams whole.
 */
export const readStreamState = async <State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Folds<State, Event>,
): Promise<LoadedStream<State>> => {
  const key = decider.snapshot?.key;
  const { snapshot, events } =
    key && store.snapshots ? await store.snapshots.readFromSnapshot(streamId, key) : { snapshot: null, events: await store.readStream(streamId) };
  // The snapshot's state is what a fold of stored events gave (checked by its key and digest).
  const from = snapshot ? (snapshot.state as State) : decider.initialState();
  const last = events.at(-1);
  return {
    state: fold(decider, asDecidersEvents<Event>(events), from),
    revision: last?.streamRevision ?? snapshot?.revision ?? -1,
    position: last?.position ?? snapshot?.position,
    eventsFolded: events.length,
  };
};

/**
 * Saves what a long read folded as the stream's new snapshot, so that the next read is short.
 * Never throws: snapshots are a cache, and a failed write only means the next read is long again.
 */
export const keepSnapshot = async <State, Event>(store: EventStore, streamId: string, decider: Folds<State, Event>, loaded: LoadedStream<State>): Promise<void> => {
  const key = decider.snapshot?.key;
  if (!key || !store.snapshots || loaded.eventsFolded <= SNAPSHOT_AFTER_EVENTS || loaded.position === undefined) return;
  try {
    await store.snapshots.saveSnapshot(streamId, key, { revision: loaded.revision, position: loaded.position, state: loaded.state });
  } catch {
    // Deliberately ignored (see above); the command it serves has its answer already.
  }
};

/** Folds one stream into its decider's state: how a handler learns facts from other streams. */
export const loadState = async <State, Event extends DomainEvent>(store: EventStore, streamId: string, decider: Folds<State, Event>): Promise<State> => {
  const loaded = await readStreamState(store, streamId, decider);
  await keepSnapshot(store, streamId, decider, loaded);
  return loaded.state;
};
