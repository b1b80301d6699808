import { ConcurrencyError, maxPosition, type DomainEvent, type EventStore, type Position } from '../events/index.js';
import { fold, type Decider } from '../domain/decider.js';
import { toNewEvents, type CommandContext } from './command-context.js';
import { foldHistory } from './load-state.js';

export interface HandleResult<State> {
  /** Global position of the last event appended or, when nothing changed, at or after the state seen. */
  position: Position;
  appended: number;
  state: State;
}

export interface HandleOptions {
  /** Attempts in all when another writer wins the race for the stream's next revision. */
  maxAttempts?: number;
  /**
   * The stream id was just made up (a fresh UUIDv7), so the stream cannot exist: skip reading it
   * and append with 'no_stream', which still refuses, as a conflict, if it somehow does exist.
   */
  newStream?: boolean;
}

/**
 * Load, decide, append, with a bounded retry on conflict. `makeCommand` runs on every attempt,
 * so that facts it loads from other streams (privacy, blocks) are as fresh as the stream itself.
 * (`const Command` keeps the literal `type` of a command built inline from widening to string.)
 */
export const handleCommand = async <const Command, State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, State, Event>,
  makeCommand: () => Command | Promise<Command>,
  ctx: CommandContext,
  options: HandleOptions = {},
): Promise<HandleResult<State>> => {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const history = options.newStream && attempt === 1 ? [] : await store.readStream(streamId);
    const state = foldHistory(decider, history);
    const decided = decider.decide(await makeCommand(), state);
    if (decided.length === 0) {
      const seen = history.at(-1)?.position;
      const head = await store.headPosition();
      return { position: seen ? maxPosition(seen, head) : head, appended: 0, state };
    }
    const expected = history.length === 0 ? 'no_stream' : history.length - 1;
    try {
      const { position } = await store.append(streamId, toNewEvents(decided, ctx), expected);
      return { position, appended: decided.length, state: fold(decider, decided, state) };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      await backoff(attempt);
    }
  }
};

// Jittered, so that racing writers do not collide again in lockstep.
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
