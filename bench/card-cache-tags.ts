import type { PairFacts, PostCardFacts, ProfilesReader, UserCardFacts } from '../projections/profiles/profiles-reader.js';
import { createCardCache } from '../read-api/card-cache.js';
import { createMediaPresenter } from '../read-api/media-presenter.js';
import { createLocalStorage } from '../media/storage/local/local-storage.js';
import { printFigures } from './support/report.js';

// What a post's tags cost the home feed's fast path (read-api/card-cache.ts visibleFromCache: every
// card, author and pair fact cached), in process, CPU per 20-post page of cards.visiblePosts (no
// SQL, no HTTP: the cards are made by a reader in memory). Three scenarios, each its own cache, in
// alternating rounds so that a change in the machine's load falls on all alike, the median round's
// figure each: no post tags anyone (the baseline: no pair fact looked up for tags), every post tags
// TAGS_EACH people (default 2; their pair facts hit on every page, all shown), and the same with one
// tagged person blocking the viewer (kernel/access.ts tagShownTo: the cards that tag them written
// without the tag, once, then kept beside the card). PAGES per round (default 20,000), ROUNDS (default 5).
const TAGS_EACH = Number(process.env.TAGS_EACH ?? 2);
const PAGES = Number(process.env.PAGES ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const AUTHORS = 20;
const TAGGABLE = 10;

const uuid = (kind: number, n: number) => `0190${kind}000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const numberOf = (id: string) => Number(id.slice(-12));
const VIEWER = uuid(1, 999_999);
/** The tagged person who blocks the viewer in the third scenario: on the tags of one post in five. */
const BLOCKER = uuid(1, 100);

const userCard = (n: number): UserCardFacts => ({
  id: uuid(1, n),
  username: `user${n}`,
  displayName: `User ${n}`,
  private: false,
  avatar: null,
  bio: '',
  followerCount: 1,
  followingCount: 1,
  postCount: 3,
  registeredAt: '2025-01-01T00:00:00.000Z',
  verified: false,
  listed: true,
});

const postCard = (n: number, tagsEach: number): PostCardFacts => {
  const tagged = Array.from({ length: tagsEach }, (_, t) => 100 + ((n + t) % TAGGABLE));
  return {
    id: uuid(2, n),
    caption: `post ${n} #bench`,
    hashtags: ['bench'],
    mentions: [],
    createdAt: '2025-01-01T00:00:00.000Z',
    likeCount: 3,
    commentCount: 1,
    shareCount: 0,
    media: [{ url: `https://cdn.example.com/${n}.jpg`, type: 'image', ...(tagged.length > 0 && { tags: tagged.map((u, i) => ({ username: `user${u}`, x: i / 10, y: 0.5 })) }) }],
    authorId: uuid(1, n % AUTHORS),
    taggedIds: tagged.map((u) => uuid(1, u)),
    standingTags: tagged.map((u) => ({ userId: uuid(1, u), username: `user${u}` })),
  };
};

const readerFor = (tagsEach: number, blocked: boolean): Pick<ProfilesReader, 'postCards' | 'userCards' | 'userCardByUsername' | 'pairFacts'> => ({
  postCards: async (ids) => new Map(ids.map((id) => [id, postCard(numberOf(id), tagsEach)])),
  userCards: async (ids) => new Map(ids.map((id) => [id, userCard(numberOf(id))])),
  userCardByUsername: async () => null,
  pairFacts: async (_viewer, ids) =>
    new Map(ids.map((id): [string, PairFacts] => [id, { following: true, requested: false, followedBy: false, blockedEitherWay: blocked && id === BLOCKER, muting: false }])),
});

const media = createMediaPresenter(createLocalStorage({ root: '/tmp/bench-card-tags-media', publicUrl: 'http://127.0.0.1:3000', secret: 'bench-card-tags-secret-at-least-32-chars' }));
const page = Array.from({ length: 20 }, (_, i) => uuid(2, i));
const scenarios = [
  { name: 'no tags (baseline)', tagsEach: 0, blocked: false },
  { name: `${TAGS_EACH} tags a post, all shown`, tagsEach: TAGS_EACH, blocked: false },
  { name: `${TAGS_EACH} tags a post, one tagged person blocks the viewer`, tagsEach: TAGS_EACH, blocked: true },
].map((scenario) => ({
  ...scenario,
  cards: createCardCache({ profiles: () => readerFor(scenario.tagsEach, scenario.blocked), media, bus: { subscribe: (listener) => (listener.live(), () => undefined) } }),
  rounds: [] as number[],
  hidden: 0,
}));

for (const scenario of scenarios) {
  // Loaded once (the general path), then every page is answered from the maps alone.
  await scenario.cards.visiblePosts(page, VIEWER, { withoutMuted: true });
  const shown = await scenario.cards.visiblePosts(page, VIEWER, { withoutMuted: true });
  scenario.hidden = shown.filter((card) => card.facts.standingTags.some((tag) => tag.userId === BLOCKER)).length;
  if (scenario.blocked && shown.some((card) => card.json.includes('"user100"'))) throw new Error('a tag of the blocker was shown');
}
for (let round = 0; round < ROUNDS; round++) {
  for (const scenario of scenarios) {
    const start = process.cpuUsage();
    for (let i = 0; i < PAGES; i++) await scenario.cards.visiblePosts(page, VIEWER, { withoutMuted: true });
    const used = process.cpuUsage(start);
    scenario.rounds.push((used.user + used.system) / PAGES);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(scenarios[0]!.rounds);
console.log(`\nCPU per 20-post page on the card cache's fast path, median of ${ROUNDS} rounds of ${PAGES} pages`);
for (const scenario of scenarios) {
  const us = median(scenario.rounds);
  console.log(`${scenario.name.padEnd(60)} ${us.toFixed(1).padStart(7)} µs  ${(us / baseline).toFixed(2)}× baseline${scenario.blocked ? ` (${scenario.hidden} of 20 cards shown without a tag)` : ''}`);
}
printFigures('card-cache-tags', {
  tagsEach: TAGS_EACH,
  pages: PAGES,
  rounds: ROUNDS,
  microsecondsPerPage: Object.fromEntries(scenarios.map((scenario) => [scenario.name, median(scenario.rounds)])),
});
for (const scenario of scenarios) scenario.cards.close();
