import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type DomainEvent } from '../../events/index.js';
import { ACCESS_RULE, accessFor, accessTo, tagShownTo, type ContentAccess, type RelationshipFacts } from '../../kernel/access.js';
import { BLOCKED_EITHER_WAY, FOLLOWS, LISTED_FOR, MAY_SEE, TAG_SHOWN_TO } from '../../projections/profiles/access-sql.js';
import { createProfilesProjection, createProfilesReader, type ProfilesReader } from '../../projections/profiles/index.js';
import { toRecordedEvents, type HistoryEvent } from '../support/history-arbitraries.js';
import { applyEvents } from '../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Who may see whom, defined once (kernel/access.ts) and spelled twice: in TypeScript (accessTo)
// and in SQL (projections/profiles/access-sql.ts). Every relationship case below is projected
// into a real profiles read model; then the SQL predicates are evaluated in PostgreSQL, and the
// facts they read are mapped through the TypeScript rule, and both, and the reader methods built
// on them (canSee, visibleAuthors, visiblePosts, postFor, profileFor), must give the case's expected answer;
// and so must the tag rule's two spellings (tagShownTo, TAG_SHOWN_TO), a block hiding a tag of the other.

const AT = '2025-01-01T00:00:00.000Z';
const id = (n: number, role: number) => `0190a000-0000-7000-8000-${String(n * 10 + role).padStart(12, '0')}`;

interface Case {
  name: string;
  expected: ContentAccess;
  /** The events of the case, between its viewer and its author (both registered unless said). */
  events: (viewer: string, author: string) => HistoryEvent[];
  /** The viewer is the author. */
  self?: boolean;
  /** The author never registered (default: registered, with one live post). */
  unregistered?: boolean;
}

const event = (streamId: string, domainEvent: DomainEvent): HistoryEvent => ({ ...domainEvent, streamId, at: AT }) as HistoryEvent;
const privately = (userId: string) => event(streams.user(userId), { type: 'PrivacyChanged', data: { userId, private: true } });
const requests = (followerId: string, followeeId: string) =>
  event(streams.follow(followerId, followeeId), { type: 'FollowRequested', data: { followerId, followeeId, requestedAt: AT } });
const follows = (followerId: string, followeeId: string) =>
  event(streams.follow(followerId, followeeId), { type: 'Followed', data: { followerId, followeeId, followedAt: AT } });
const blocks = (blockerId: string, blockedId: string) =>
  event(streams.block(blockerId, blockedId), { type: 'Blocked', data: { blockerId, blockedId, blockedAt: AT } });
const unblocks = (blockerId: string, blockedId: string) =>
  event(streams.block(blockerId, blockedId), { type: 'Unblocked', data: { blockerId, blockedId } });
const deleting = (userId: string) =>
  event(streams.user(userId), { type: 'AccountDeletionRequested', data: { userId, requestedAt: AT, eraseAfter: '2025-01-31T00:00:00.000Z' } });
const restores = (userId: string) => event(streams.user(userId), { type: 'AccountRestored', data: { userId, restoredAt: AT } });
const erased = (userId: string) => event(streams.user(userId), { type: 'AccountErased', data: { userId, erasedAt: AT } });

const cases: Case[] = [
  { name: 'self (private, blocked by nobody)', expected: 'allowed', self: true, events: (_, author) => [privately(author)] },
  { name: 'public stranger', expected: 'allowed', events: () => [] },
  { name: 'public follower', expected: 'allowed', events: (viewer, author) => [follows(viewer, author)] },
  { name: 'private stranger', expected: 'private', events: (_, author) => [privately(author)] },
  { name: 'private with a pending request', expected: 'private', events: (viewer, author) => [privately(author), requests(viewer, author)] },
  { name: 'private follower', expected: 'allowed', events: (viewer, author) => [privately(author), follows(viewer, author)] },
  { name: 'blocked by the author', expected: 'blocked', events: (viewer, author) => [blocks(author, viewer)] },
  { name: 'author blocked by the viewer', expected: 'blocked', events: (viewer, author) => [blocks(viewer, author)] },
  // The write side ends follows with a block; a projection may still hold the follow row.
  {
    name: 'blocked with an old follow row still there',
    expected: 'blocked',
    events: (viewer, author) => [privately(author), follows(viewer, author), blocks(author, viewer)],
  },
  { name: 'blocked both ways', expected: 'blocked', events: (viewer, author) => [blocks(viewer, author), blocks(author, viewer)] },
  { name: 'ended block', expected: 'allowed', events: (viewer, author) => [blocks(author, viewer), unblocks(author, viewer)] },
  {
    name: 'ended block on a private account followed again',
    expected: 'allowed',
    events: (viewer, author) => [privately(author), blocks(author, viewer), unblocks(author, viewer), follows(viewer, author)],
  },
  // A follow applied before the followee's UserRegistered leaves a users row without a username.
  { name: 'unknown author (a row, never registered)', expected: 'unknown', unregistered: true, events: (viewer, author) => [follows(viewer, author)] },
  { name: 'unknown author (no row at all)', expected: 'unknown', unregistered: true, events: () => [] },
  // Account deletion: an author in the grace period is no author to anyone but themself
  // (access-sql.ts LISTED, LISTED_FOR), whatever the relationship; a restore lists them again.
  { name: 'author in the deletion grace, followed', expected: 'unknown', events: (viewer, author) => [follows(viewer, author), deleting(author)] },
  { name: 'self in the deletion grace', expected: 'allowed', self: true, events: (_, author) => [deleting(author)] },
  { name: 'restored author, followed', expected: 'allowed', events: (viewer, author) => [follows(viewer, author), deleting(author), restores(author)] },
  {
    name: 'restored private author, not followed',
    expected: 'private',
    events: (_, author) => [privately(author), deleting(author), restores(author)],
  },
  { name: 'erased author', expected: 'unknown', events: (_, author) => [deleting(author), erased(author)] },
];

const registered = (userId: string, n: number) =>
  event(streams.user(userId), { type: 'UserRegistered', data: { userId, username: `access_${n}`, displayName: `User ${n}`, registeredAt: AT } });
const postOf = (authorId: string, postId: string) =>
  event(streams.post(postId), {
    type: 'PostCreated',
    data: { postId, authorId, caption: '', hashtags: [], mentions: [], media: [{ url: 'https://example.com/a.jpg', type: 'image' }], createdAt: AT },
  });

const parties = cases.map((c, n) => {
  const author = id(n, 1);
  // The usernames `registered` gives below: the viewer is user n*2, the author n*2+1 (or the viewer).
  return { ...c, viewer: c.self ? author : id(n, 2), author, post: id(n, 3), authorName: `access_${c.self ? n * 2 : n * 2 + 1}` };
});

const history = parties.flatMap(({ viewer, author, post, unregistered, events }, n) => [
  registered(viewer, n * 2),
  ...(unregistered || viewer === author ? [] : [registered(author, n * 2 + 1)]),
  ...(unregistered ? [] : [postOf(author, post)]),
  ...events(viewer, author),
]);

describe('the access rule (kernel/access.ts)', () => {
  it('has a row for every combination of facts: the last row matches everything', () => {
    expect(ACCESS_RULE.at(-1)!.when).toEqual({});
  });

  it('decides every combination of facts as documented: self, then a block, then privacy without a follow', () => {
    const bools = [false, true];
    for (const self of bools)
      for (const blockedEitherWay of bools)
        for (const ownerIsPrivate of bools)
          for (const actorFollowsOwner of bools) {
            const facts: RelationshipFacts = { self, blockedEitherWay, ownerIsPrivate, actorFollowsOwner };
            const expected = self ? 'allowed' : blockedEitherWay ? 'blocked' : ownerIsPrivate && !actorFollowsOwner ? 'private' : 'allowed';
            expect(accessFor(facts), JSON.stringify(facts)).toBe(expected);
          }
  });
});

describe('the access rule in PostgreSQL (projections/profiles/access-sql.ts) and the profiles reader', () => {
  let db: TestDatabase;
  let reader: ProfilesReader;

  beforeAll(async () => {
    db = await createTestDatabase();
    const projection = createProfilesProjection(db.pool);
    await projection.setup();
    await applyEvents(projection, toRecordedEvents(history));
    reader = createProfilesReader(db.pool);
  });
  afterAll(() => db?.drop());

  /** The SQL predicates on the case's pair, and the facts they read (null: no author row listed to the viewer). */
  const inPostgres = async (viewer: string, author: string) => {
    const { rows } = await db.pool.query<{ may_see: boolean; tag_shown: boolean; private: boolean; blocked: boolean; follows: boolean }>(
      `select ${MAY_SEE('$1::uuid', 'u.id')} as may_see, ${TAG_SHOWN_TO('$1::uuid', 'u.id')} as tag_shown, u.private,
         ${BLOCKED_EITHER_WAY('$1::uuid', 'u.id')} as blocked, ${FOLLOWS('$1::uuid', 'u.id')} as follows
       from users u where u.id = $2 and ${LISTED_FOR('$1::uuid', 'u')}`,
      [viewer, author],
    );
    return rows[0] ?? null;
  };

  it.each(parties)('$name: $expected', async ({ viewer, author, post, authorName, expected }) => {
    const sql = await inPostgres(viewer, author);
    if (expected === 'unknown') expect(sql).toBeNull();
    else {
      expect(sql).not.toBeNull();
      const facts = { actorId: viewer, ownerId: author, ownerIsPrivate: sql!.private, actorFollowsOwner: sql!.follows, blockedEitherWay: sql!.blocked };
      expect(accessTo(facts), 'the TypeScript rule on the facts as stored').toBe(expected);
      expect(sql!.may_see, 'MAY_SEE').toBe(expected === 'allowed');
      // A tag of the author on someone else's post: hidden exactly when a block stands between them (kernel/access.ts tagShownTo).
      expect(tagShownTo(facts), 'tagShownTo on the facts as stored').toBe(expected !== 'blocked');
      expect(sql!.tag_shown, 'TAG_SHOWN_TO').toBe(expected !== 'blocked');
    }
    expect(await reader.canSee(viewer, author), 'canSee').toBe(expected);
    expect([...(await reader.visibleAuthors(viewer, [author]))], 'visibleAuthors').toEqual(expected === 'allowed' ? [author] : []);
    expect(
      (await reader.visiblePosts([post], viewer)).map((p) => p.id),
      'visiblePosts',
    ).toEqual(expected === 'allowed' ? [post] : []);
    // The post page's and the profile's one-statement reads decide by the same rule.
    expect((await reader.postFor(post, viewer))?.access ?? 'unknown', 'postFor').toBe(expected);
    expect((await reader.profileFor(viewer, authorName))?.access ?? 'unknown', 'profileFor').toBe(expected);
  });

  it('visibleAuthors answers every case at once as canSee does one by one', async () => {
    for (const viewer of new Set(parties.map((p) => p.viewer))) {
      const authors = parties.map((p) => p.author);
      const visible = await reader.visibleAuthors(viewer, authors);
      const allowed = [];
      for (const author of authors) if ((await reader.canSee(viewer, author)) === 'allowed') allowed.push(author);
      expect([...visible].sort()).toEqual(allowed.sort());
    }
  });
});
