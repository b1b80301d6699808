import { toNewEvents, type CommandContext } from '../../commands/command-context.js';
import type { CommandDeps } from '../../commands/deps.js';
import type { DomainEvent, EventStore } from '../../events/index.js';
import { streams } from '../../events/streams.js';
import { FOLLOWING_MAX } from '../../kernel/limits.js';
import { PARAMS } from '../../commands/accounts/password.js';
import { createInMemoryEventStore } from './in-memory-event-store.js';

// What the fast command-handler tests (test/unit/commands) stand on: handlers run against the
// in-memory event store, and "given" histories are appended to it as a handler would append them.

export const now = '2025-03-01T10:00:00.000Z';
export const ctx: CommandContext = { actorId: null, correlationId: 'test', now };

/** A dependency the handler under test must not touch: any use of it fails the test. */
const unused = <T extends object>(what: string): T =>
  new Proxy({} as T, {
    get: () => {
      throw new Error(`${what} is not used by this handler`);
    },
  });

export const commandDeps = (store: EventStore = createInMemoryEventStore()): CommandDeps => ({
  store,
  credentials: unused('credentials'),
  tokens: unused('tokens'),
  accountLinks: unused('accountLinks'),
  passwordParams: PARAMS,
  sessions: unused('sessions'),
  twoFactor: unused('twoFactor'),
  storyTtlMs: 24 * 60 * 60 * 1000,
  accountDeletionGraceMs: 30 * 24 * 60 * 60 * 1000,
  mediaExternalHosts: [],
  storage: unused('storage'),
  // No read model here: follows are uncounted unless a test says otherwise.
  followingCount: async () => 0,
  followingMax: FOLLOWING_MAX,
  collectionCount: async () => 0,
  hashtagFollowCount: async () => 0,
});

/** Appends `events` to `streamId` as its history. */
export const given = async (store: EventStore, streamId: string, events: readonly DomainEvent[]): Promise<void> => {
  await store.append(streamId, toNewEvents(events, ctx), 'any');
};

/** A registered user, as the register handler leaves one: the username reserved, the user stream begun. */
export const givenUser = async (store: EventStore, user: { userId: string; username: string; private?: boolean }): Promise<void> => {
  const { userId, username } = user;
  await given(store, streams.username(username), [{ type: 'UsernameReserved', data: { username, userId } }]);
  await given(store, streams.user(userId), [
    { type: 'UserRegistered', data: { userId, username, displayName: username, registeredAt: now } },
    ...(user.private ? [{ type: 'PrivacyChanged' as const, data: { userId, private: true } }] : []),
  ]);
};

/** The event types of a stream, in order. */
export const typesIn = async (store: EventStore, streamId: string): Promise<string[]> =>
  (await store.readStream(streamId)).map((event) => event.type);
