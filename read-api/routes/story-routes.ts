import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { assertCanSeeContent, visibleUser } from '../access.js';
import { DEGRADED_HEADER, degradedTo, emptyStoriesTray } from '../degraded.js';
import type { ReadDeps } from '../deps.js';
import { forbidden, notFound } from '../../kernel/errors.js';
import { presentedMedia } from '../media-presenter.js';
import { presentUser } from '../present.js';
import { page, pageQuery, readQuery, storyIdParam, userSummary, usernameParam } from '../schemas.js';
import { sharedStoriesFor, type SharedStories } from '../story-shares.js';
import type { Story } from '../../projections/stories/stories-store.js';
import type { UserSummary } from '../../projections/profiles/reader-types.js';

const story = z.object({
  id: z.string(),
  media: presentedMedia,
  postedAt: z.string(),
  expiresAt: z.string(),
  seen: z.boolean(),
  sharedPost: z.object({ id: z.string(), author: userSummary }).nullable().describe('The post a shared story shows (POST /posts/{id}/share); null for an ordinary story'),
});
const trayEntry = z.object({ author: userSummary, hasUnseen: z.boolean(), latestPostedAt: z.string(), stories: z.array(story) });

export const storyRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  /** A story as answered: its media made URLs by its owner's privacy (a shared story's: the post author's), its shared post named. */
  const presentStory = async ({ sharedPost, ...rest }: Story & { seen: boolean }, author: UserSummary, shared: SharedStories) => {
    const postAuthor = sharedPost ? shared.postAuthors.get(sharedPost.postId) : undefined;
    return {
      ...rest,
      media: await deps.media.presentOne(rest.media, postAuthor ?? author),
      sharedPost: sharedPost && postAuthor ? { id: sharedPost.postId, author: await presentUser(deps, postAuthor) } : null,
    };
  };

  app.get('/stories/feed', {
    config: { reads: ['stories', 'profiles'] },
    schema: {
      querystring: readQuery,
      response: { 200: z.object({ items: z.array(trayEntry) }).describe(`The stories tray; with ${DEGRADED_HEADER}: stories, empty while Redis cannot answer`) },
    },
    ...degradedTo(deps, ['stories'], emptyStoriesTray),
    handler: async (request) => {
      const viewerId = actorOf(request);
      // The viewer's own stories lead the tray, as in the app; the accounts the viewer mutes stay
      // out of it (their stories are still there on their profile: a mute is not a block).
      const authors = [viewerId, ...(await deps.profiles.followingIds(viewerId, { withoutMuted: true }))];
      const visible = await deps.profiles.visibleAuthors(viewerId, authors);
      let shared: SharedStories = { shown: new Set(), postAuthors: new Map() };
      const tray = await deps.stories.tray(viewerId, authors.filter((id) => visible.has(id)), deps.now(), async (live) => {
        shared = await sharedStoriesFor(deps, viewerId, live, { readThrough: request.query.minPosition !== undefined });
        return shared.shown;
      });
      const summaries = await deps.profiles.userSummaries(tray.map((entry) => entry.authorId));
      const found = tray.flatMap((entry) => {
        const author = summaries.get(entry.authorId);
        return author ? [{ ...entry, author }] : [];
      });
      const items = await Promise.all(
        found.map(async ({ author, stories, hasUnseen, latestPostedAt }) => ({
          author: await presentUser(deps, author),
          hasUnseen,
          latestPostedAt,
          stories: await Promise.all(stories.map((story) => presentStory(story, author, shared))),
        })),
      );
      return { items: [...items.filter((i) => i.author.id === viewerId), ...items.filter((i) => i.author.id !== viewerId)] };
    },
  });

  app.get('/users/:username/stories', {
    config: { reads: ['stories', 'profiles'] },
    schema: { params: usernameParam, querystring: readQuery, response: { 200: z.object({ items: z.array(story) }) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const user = await visibleUser(deps, viewerId, request.params.username);
      await assertCanSeeContent(deps, viewerId, user.id, 'stories');
      const live = (await deps.stories.activeStories([user.id], deps.now())).get(user.id) ?? [];
      const shared = await sharedStoriesFor(deps, viewerId, live, { readThrough: request.query.minPosition !== undefined });
      const stories = live.filter((s) => shared.shown.has(s.id));
      const seen = await deps.stories.seenBy(viewerId, stories.map((s) => s.id));
      return { items: await Promise.all(stories.map((s) => presentStory({ ...s, seen: seen.has(s.id) }, user, shared))) };
    },
  });

  app.get('/stories/:storyId/viewers', {
    config: { reads: ['stories', 'profiles'] },
    schema: {
      params: storyIdParam,
      querystring: pageQuery,
      response: { 200: page(z.object({ user: userSummary, viewedAt: z.string() })) },
    },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const found = await deps.stories.story(request.params.storyId);
      if (!found || found.state === 'deleted') throw notFound('STORY_NOT_FOUND', 'no such story');
      if (found.authorId !== viewerId) {
        // Someone a block hides the author from, or anyone while the author is hidden (deleting),
        // learns no more than of an unknown story; others are told only the author sees viewers.
        const access = await deps.profiles.canSee(viewerId, found.authorId);
        if (access === 'blocked' || access === 'unknown') throw notFound('STORY_NOT_FOUND', 'no such story');
        throw forbidden('NOT_AUTHOR', "only a story's author sees its viewers");
      }
      const { cursor, limit } = request.query;
      const viewers = await deps.stories.viewers(found.id, { cursor, limit });
      // Viewers behind a block either way are left out, as everywhere else a list names users.
      const summaries = await deps.profiles.unblockedSummaries(viewerId, viewers.items.map((v) => v.viewerId));
      const items = await Promise.all(
        viewers.items.flatMap(({ viewerId: id, viewedAt }) => {
          const user = summaries.get(id);
          return user ? [presentUser(deps, user).then((presented) => ({ user: presented, viewedAt }))] : [];
        }),
      );
      return { items, nextCursor: viewers.nextCursor };
    },
  });
};
