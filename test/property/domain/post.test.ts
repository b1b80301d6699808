import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyPostEvent, postDecider, type CreatePost, type PostCommand, type PostState } from '../../../domain/post/post.js';
import { isTagged, type TagRequest } from '../../../domain/post/tags.js';
import type { AppError } from '../../../kernel/errors.js';
import { anyInstant, anyMediaList, anyPerson, anyShortText, people, postIds } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const postId = postIds[0];

/** A tag of one of the fixed people (or of an unknown name: userId null), maybe behind a block with the author. */
const anyTagRequest: fc.Arbitrary<TagRequest> = fc.record({
  username: fc.constantFrom('ann', 'bob', 'cat', 'dan', 'nobody'),
  x: fc.double({ min: 0, max: 1, noNaN: true }),
  y: fc.double({ min: 0, max: 1, noNaN: true }),
  userId: fc.option(anyPerson, { freq: 6 }),
  blockedEitherWay: fc.boolean(),
});
const anyCreate: fc.Arbitrary<CreatePost> = fc
  .record({
    type: fc.constant('CreatePost' as const),
    postId: fc.constant(postId),
    authorId: anyPerson,
    caption: anyShortText,
    media: anyMediaList,
    now: anyInstant,
  })
  // One list of tags per item (the route's shape: tags[i] are item i's).
  .chain((create) => fc.array(fc.array(anyTagRequest, { maxLength: 4 }), { minLength: create.media.length, maxLength: create.media.length }).map((tags) => ({ ...create, tags })))
  // Most creations tag no one unknown or blocked, so that histories with tags happen.
  .chain((create) =>
    fc.boolean().map((clean) => (clean ? { ...create, tags: create.tags.map((item) => item.filter((tag) => tag.userId !== null && !tag.blockedEitherWay)) } : create)),
  );

const postCommand: fc.Arbitrary<PostCommand> = fc.oneof(
  anyCreate,
  fc.record({ type: fc.constant('EditCaption' as const), postId: fc.constant(postId), actorId: anyPerson, caption: anyShortText, now: anyInstant }),
  fc.record({ type: fc.constant('DeletePost' as const), postId: fc.constant(postId), actorId: anyPerson, now: anyInstant }),
  fc.record({ type: fc.constant('RemoveTag' as const), postId: fc.constant(postId), actorId: anyPerson, userId: anyPerson, now: anyInstant }),
);
const postCommands = fc.array(postCommand, { maxLength: 20 });

describe('post decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: postDecider, canApply: canApplyPostEvent, commands: postCommands });
});

describe('post rules', () => {
  it('once deleted, a post stays deleted and no command changes it again', () => {
    fc.assert(
      fc.property(postCommands, (cmds) => {
        let deleted = false;
        for (const step of runCommands(postDecider, cmds).steps) {
          if (deleted) expect(step.events).toEqual([]);
          deleted ||= step.after.status === 'deleted';
        }
      }),
      { numRuns: 150 },
    );
  });

  it('only the author edits or deletes a post: every CaptionEdited and PostDeleted was asked for by its author', () => {
    let changes = 0;
    fc.assert(
      fc.property(postCommands, (cmds) => {
        for (const { command, before, events } of runCommands(postDecider, cmds).steps) {
          if (command.type === 'CreatePost' || command.type === 'RemoveTag' || events.length === 0) continue;
          changes++;
          expect(before.status !== 'none' && before.authorId === command.actorId).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    // Edits and deletions did come up; otherwise the property held vacuously.
    expect(changes).toBeGreaterThan(0);
  });
});

const tagsOf = (state: PostState) => (state.status === 'none' ? [] : state.media.flatMap((item) => item.tags ?? []));

describe('user tag rules (docs/rules.md "User tags")', () => {
  it('a post never carries a tag of an unknown account or of one a block stands between with the author at decision time: such a creation is refused 404 USER_NOT_FOUND naming the tag', () => {
    let refused = 0;
    fc.assert(
      fc.property(anyCreate, (create) => {
        const bad = create.tags?.flatMap((item, i) => item.flatMap((tag, j) => (tag.userId === null || tag.blockedEitherWay ? [{ i, j }] : []))) ?? [];
        let events;
        try {
          events = postDecider.decide(create, { status: 'none' });
        } catch (error) {
          const refusal = error as AppError;
          if (refusal.code === 'DUPLICATE_TAG') return;
          refused++;
          expect(bad.length).toBeGreaterThan(0);
          expect([refusal.status, refusal.code, refusal.message]).toEqual([404, 'USER_NOT_FOUND', 'No such user']);
          expect(refusal.details).toHaveLength(1);
          expect(bad.map(({ i, j }) => `media.${i}.tags.${j}.username`)).toContain(refusal.details[0]!.path);
          return;
        }
        expect(bad).toEqual([]);
        const tagged = events.flatMap((e) => (e.type === 'PostCreated' ? e.data.media.flatMap((item) => item.tags ?? []) : []));
        const allowed = new Set(create.tags?.flat().map((tag) => tag.userId));
        for (const tag of tagged) expect(allowed.has(tag.userId)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('an item tags an account at most once, whatever was asked (a second tag of it is refused 400 DUPLICATE_TAG)', () => {
    fc.assert(
      fc.property(postCommands, (cmds) => {
        for (const { after } of runCommands(postDecider, cmds).steps) {
          if (after.status === 'none') continue;
          for (const item of after.media) {
            const ids = (item.tags ?? []).map((tag) => tag.userId);
            expect(new Set(ids).size).toBe(ids.length);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('removing your tag leaves no item tagging you, and touches no one else’s tag; only the tagged person or the author removes one', () => {
    let removals = 0;
    fc.assert(
      fc.property(postCommands, (cmds) => {
        for (const { command, before, after, events } of runCommands(postDecider, cmds).steps) {
          if (command.type !== 'RemoveTag' || before.status === 'none') continue;
          if (events.length > 0) {
            removals++;
            expect(command.actorId === command.userId || command.actorId === before.authorId).toBe(true);
          }
          if (after.status === 'none' || events.length === 0) continue;
          expect(isTagged(after.media, command.userId)).toBe(false);
          expect(tagsOf(after)).toEqual(tagsOf(before).filter((tag) => tag.userId !== command.userId));
        }
      }),
      { numRuns: 200 },
    );
    expect(removals).toBeGreaterThan(0);
  });

  it('removing a tag that is not there, or from a deleted post, appends nothing', () => {
    fc.assert(
      fc.property(postCommands, fc.constantFrom(...people), (cmds, userId) => {
        const { state } = runCommands(postDecider, cmds);
        if (state.status === 'none') return;
        if (state.status === 'active' && isTagged(state.media, userId)) return;
        expect(postDecider.decide({ type: 'RemoveTag', postId, actorId: userId, userId, now: '2026-01-01T00:00:00.000Z' }, state)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
