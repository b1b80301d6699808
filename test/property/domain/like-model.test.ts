import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../../domain/access.js';
import { fold, type Decider } from '../../../domain/decider.js';
import { AppError } from '../../../kernel/errors.js';
import { likeDecider, type LikeCommand, type LikeEvent } from '../../../domain/like/like.js';
import { postDecider, type PostCommand, type PostEvent } from '../../../domain/post/post.js';
import { postFacts } from '../../../domain/post/post-facts.js';
import { streams, type DomainEvent } from '../../../events/index.js';
import { anyPerson, anyPostId, people, postIds } from '../../support/content-arbitraries.js';

// Model-based test of likes against posts: random sequences of create post / delete post / like /
// unlike, by several users on several posts, with some pairs blocked. The real system runs the
// deciders the way a command handler does (load the stream, fold, decide, append); the model is
// plain sets. After every command the likes folded from the streams equal the model's, and a
// refused command leaves every stream as it was.

const now = '2025-03-01T10:00:00.000Z';
const photo = { url: 'media/a.jpg', type: 'image' as const };

interface Model {
  posts: Map<string, { authorId: string; deleted: boolean }>;
  likes: Set<string>;
}

interface Real {
  streams: Map<string, DomainEvent[]>;
  blocks: ReadonlySet<string>;
}

const pair = (a: string, b: string) => `${a}|${b}`;
const accessOf = (blocks: ReadonlySet<string>, actorId: string, authorId: string): Access =>
  actorId !== authorId && (blocks.has(pair(actorId, authorId)) || blocks.has(pair(authorId, actorId))) ? 'blocked' : 'allowed';

// Each stream only ever receives its own decider's events, so reading it back at that type is sound.
const eventsOf = <E extends DomainEvent>(real: Real, streamId: string): E[] => (real.streams.get(streamId) ?? []) as E[];

/** Load, fold, decide, append: a command handler without the I/O. Returns whether events were appended. */
const handle = <C, S, E extends DomainEvent>(real: Real, streamId: string, decider: Decider<C, S, E>, command: C): boolean => {
  const history = eventsOf<E>(real, streamId);
  const events = decider.decide(command, fold(decider, history));
  if (events.length > 0) real.streams.set(streamId, [...history, ...events]);
  return events.length > 0;
};

const runPostCommand = (real: Real, command: PostCommand) => handle(real, streams.post(command.postId), postDecider, command);

const runLikeCommand = (real: Real, postId: string, userId: string, intent: 'Like' | 'Unlike') => {
  const post = fold(postDecider, eventsOf<PostEvent>(real, streams.post(postId)));
  const access = post.status === 'none' ? 'allowed' : accessOf(real.blocks, userId, post.authorId);
  const command: LikeCommand =
    intent === 'Like' ? { type: 'Like', postId, userId, post: postFacts(post, access), now } : { type: 'Unlike', postId, userId };
  return handle(real, streams.like(postId, userId), likeDecider, command);
};

const likesIn = (real: Real): Set<string> => {
  const likes = new Set<string>();
  for (const postId of postIds) {
    for (const userId of people) {
      if (fold(likeDecider, eventsOf<LikeEvent>(real, streams.like(postId, userId))).liked) likes.add(pair(postId, userId));
    }
  }
  return likes;
};

/** What the model says a command does: refused with a code, or accepted, changing something or not. */
type Outcome = { refused: string } | { changes: boolean };

interface Step {
  describe: string;
  expect: (model: Model) => Outcome;
  applyToModel: (model: Model) => void;
  runOnReal: (real: Real) => boolean;
}

const step = (s: Step): fc.Command<Model, Real> => ({
  check: () => true,
  toString: () => s.describe,
  run: (model, real) => {
    const before = structuredClone(real.streams);
    const expected = s.expect(model);
    let outcome: Outcome;
    try {
      outcome = { changes: s.runOnReal(real) };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = { refused: error.code };
    }
    expect(outcome, s.describe).toEqual(expected);
    if (!('changes' in outcome) || !outcome.changes) expect(real.streams, `${s.describe} left the streams alone`).toEqual(before);
    if ('changes' in expected) s.applyToModel(model);
    expect(likesIn(real)).toEqual(model.likes);
  },
});

const createPost = (postId: string, authorId: string) =>
  step({
    describe: `${authorId.slice(-1)} creates post ${postId.slice(-1)}`,
    expect: (m) => (m.posts.has(postId) ? { refused: 'POST_EXISTS' } : { changes: true }),
    applyToModel: (m) => void m.posts.set(postId, { authorId, deleted: false }),
    runOnReal: (r) => runPostCommand(r, { type: 'CreatePost', postId, authorId, caption: '#model', media: [photo], now }),
  });

const deletePost = (postId: string, actorId: string) =>
  step({
    describe: `${actorId.slice(-1)} deletes post ${postId.slice(-1)}`,
    expect: (m) => {
      const post = m.posts.get(postId);
      if (!post) return { refused: 'POST_NOT_FOUND' };
      if (post.authorId !== actorId) return { refused: 'NOT_AUTHOR' };
      return { changes: !post.deleted };
    },
    applyToModel: (m) => void (m.posts.get(postId)!.deleted = true),
    runOnReal: (r) => runPostCommand(r, { type: 'DeletePost', postId, actorId, now }),
  });

const like = (postId: string, userId: string, blocks: ReadonlySet<string>) =>
  step({
    describe: `${userId.slice(-1)} likes post ${postId.slice(-1)}`,
    expect: (m) => {
      const post = m.posts.get(postId);
      if (!post) return { refused: 'POST_NOT_FOUND' };
      if (post.deleted) return { refused: 'POST_DELETED' };
      if (accessOf(blocks, userId, post.authorId) === 'blocked') return { refused: 'POST_NOT_FOUND' };
      return { changes: !m.likes.has(pair(postId, userId)) };
    },
    applyToModel: (m) => void m.likes.add(pair(postId, userId)),
    runOnReal: (r) => runLikeCommand(r, postId, userId, 'Like'),
  });

const unlike = (postId: string, userId: string) =>
  step({
    describe: `${userId.slice(-1)} unlikes post ${postId.slice(-1)}`,
    expect: (m) => ({ changes: m.likes.has(pair(postId, userId)) }),
    applyToModel: (m) => void m.likes.delete(pair(postId, userId)),
    runOnReal: (r) => runLikeCommand(r, postId, userId, 'Unlike'),
  });

const anyBlocks = fc
  .subarray(people.flatMap((a) => people.filter((b) => b !== a).map((b) => pair(a, b))), { maxLength: 4 })
  .map((pairs) => new Set(pairs));

const commandsUnder = (blocks: ReadonlySet<string>) =>
  fc.commands(
    [
      fc.tuple(anyPostId, anyPerson).map(([p, u]) => createPost(p, u)),
      fc.tuple(anyPostId, anyPerson).map(([p, u]) => deletePost(p, u)),
      fc.tuple(anyPostId, anyPerson).map(([p, u]) => like(p, u, blocks)),
      fc.tuple(anyPostId, anyPerson).map(([p, u]) => unlike(p, u)),
    ],
    { maxCommands: 40 },
  );

describe('likes, model-based (docs/rules.md)', () => {
  it('for any sequence of create/delete post and like/unlike, the likes folded from the streams match the model, and refusals change nothing', () => {
    fc.assert(
      fc.property(
        anyBlocks.chain((blocks) => fc.tuple(fc.constant(blocks), commandsUnder(blocks))),
        ([blocks, cmds]) => {
          fc.modelRun(() => ({ model: { posts: new Map(), likes: new Set<string>() }, real: { streams: new Map(), blocks } }), cmds);
        },
      ),
      { numRuns: 100 },
    );
  });
});
