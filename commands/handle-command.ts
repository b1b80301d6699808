import { ConcurrencyError, maxPosition, type DomainEvent, type EventStore, type Position, type RecordedEvent, type StreamGuard } from '../events/index.js';
import { createOnce } from './created-once.js';
import { fold, type Decider } from '../domain/decider.js';
import { toNewEvents, type CommandContext } from './command-context.js';
import { emptyStream, keepSnapshot, readStreamState, type LoadedStream } from './load-state.js';

/**
 * A command as a handler builds it: everything but the time, which handleCommand stamps from
 * `ctx.now`, so that the events' `occurredAt` and the decision's `now` are one reading of the clock.
 */
export type Unstamped<Command> = Command extends { now: string } ? Omit<Command, 'now'> : Command;

/**
 * Builds the command; runs on every attempt, so that facts it loads from other streams
 * (privacy, blocks) are as fresh as the stream itself.
 */
export type BuildCommand<Command> = () => Unstamped<Command> | Promise<Unstamped<Command>>;

export interface HandleCommandOptions<Command, State, Event> {
  store: EventStore;
  /** The one stream the command appends to (events/streams.ts). */
  stream: string;
  decider: Decider<Command, State, Event>;
  command: BuildCommand<Command>;
  ctx: CommandContext;
  /**
   * Other streams the decision rests on (the caller's account: commands/registered-actor.ts),
   * asked on every attempt before the command is built; the append commits only while each is
   * still at the revision given (events/event-store.ts StreamGuard). One that moved is a
   * conflict like another writer's, and the next attempt asks with `fresh`, to read it again.
   */
  guards?: (attempt: { fresh: boolean }) => Promise<readonly StreamGuard[]>;
  /**
   * The stream id was just made up (a fresh UUIDv7), so the stream cannot exist: skip reading it
   * and append with 'no_stream', which still refuses, as a conflict, if it somehow does exist.
   */
  newStream?: boolean;
  /** Attempts in all when another writer wins the race for the stream's next revision (default 5). */
  maxAttempts?: number;
}

export interface HandleResult<State> {
  /** Global position of the last event appended or, when nothing changed, at or after the state seen. */
  position: Position;
  appended: number;
  state: State;
}

/**
 * Load, decide, append, with a bounded retry on conflict. The stream is read from its snapshot
 * when the decider declares one (commands/load-state.ts), so its cost does not grow with the
 * stream; a long read is kept as a new snapshot once the command is through.
 * (`const Command` keeps the literal `type` of a command built inline from widening to string.)
 */
export const handleCommand = async <const Command, State, Event extends DomainEvent>(
  options: HandleCommandOptions<Command, State, Event>,
): Promise<HandleResult<State>> => {
  const { store, stream, decider } = options;
  let read: LoadedStream<State> | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      read = options.newStream && attempt === 1 ? emptyStream(decider) : await readStreamState(store, stream, decider);
      const outcome = await decideAndAppend(options, read, attempt);
      if (outcome !== 'conflict') return outcome;
      await backoff(attempt);
    }
  } finally {
    // Also after a refusal: the state read is a fact of the stream whatever the decision, and a
    // refused command repeated on a long stream must not read it whole every time.
    if (read) await keepSnapshot(store, stream, decider, read);
  }
};

const decideAndAppend = async <Command, State, Event extends DomainEvent>(
  options: HandleCommandOptions<Command, State, Event>,
  { state, revision, position: seen }: LoadedStream<State>,
  attempt: number,
): Promise<HandleResult<State> | 'conflict'> => {
  const { store, stream, decider, ctx } = options;
  const guards = options.guards ? await options.guards({ fresh: attempt > 1 }) : undefined;
  // A command that takes no `now` ignores the extra field: deciders read only what they declare.
  const command = { ...(await options.command()), now: ctx.now } as Command;
  const decided = decider.decide(command, state);
  if (decided.length === 0) {
    const head = await store.headPosition();
    return { position: seen ? maxPosition(seen, head) : head, appended: 0, state };
  }
  const expected = revision < 0 ? 'no_stream' : revision;
  try {
    const { position } = await store.append(stream, toNewEvents(decided, ctx), expected, guards ? { guards } : undefined);
    return { position, appended: decided.length, state: fold(decider, decided, state) };
  } catch (error) {
    if (!(error instanceof ConcurrencyError) || attempt >= (options.maxAttempts ?? 5)) throw error;
    return 'conflict';
  }
};

/**
 * handleCommand for the handlers whose answer is the ids the client already named and where the
 * events landed (deleting a post, story or comment; editing a caption; answering a request).
 */
export const answerWithPosition = async <const Ids extends object, const Command, State, Event extends DomainEvent>(
  ids: Ids,
  options: HandleCommandOptions<Command, State, Event>,
): Promise<Ids & { position: Position }> => ({ ...ids, position: (await handleCommand(options)).position });

/**
 * handleCommand for a command that creates its stream (a post, comment, story, upload,
 * collection): appended as a new stream, once (created-once.ts createOnce), answered by `answer`
 * from the result, or by `fromCreation` from the stream's first event when the append committed
 * and its reply was lost, or an earlier run of the same keyed command got there first.
 */
export const createStream = <const Command, State, Event extends DomainEvent, T>(
  options: Omit<HandleCommandOptions<Command, State, Event>, 'newStream'>,
  answer: (result: HandleResult<State>) => T,
  fromCreation: (creation: RecordedEvent) => T | Promise<T>,
): Promise<T> => createOnce(options.store, options.stream, options.ctx, async () => answer(await handleCommand({ ...options, newStream: true })), fromCreation);

// Jittered, so that racing writers do not collide again in lockstep.
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
