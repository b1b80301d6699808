// Builds a believable social graph through the HTTP API of a running platform, so that a newcomer
// sees a living feed at once: power-law follower counts (a few accounts far above the rest),
// private accounts, posts with hashtags and mentions, likes, threaded comments and stories, and
// avatars; every picture is generated here (scripts/demo-images.ts) and uploaded through the media
// flow, as an app does: request an upload, PUT the bytes, complete, wait until processed, attach.
//
//   npm run demo                      # against http://127.0.0.1:3000
//   API_URL=http://host:port npm run demo
//
// Re-running it is safe: existing accounts log in instead of registering. Deterministic (seeded).
import { demoImage } from './demo-images.js';
import { seededRandom } from './seeded-random.js';

const API = process.env.API_URL ?? 'http://127.0.0.1:3000';
const USERS = Number(process.env.DEMO_USERS ?? 150);
export const DEMO_LOGIN = { username: 'demo', password: 'demo-password' };

// Seeded, so that every run builds the same world.
const { random, pick } = seededRandom(20261121);
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const FIRST = ['ana', 'ben', 'chloe', 'dev', 'elif', 'femi', 'gia', 'hugo', 'ines', 'jun', 'kai', 'lena', 'milo', 'nora', 'omar', 'pia', 'quinn', 'ravi', 'sara', 'tom'];
const LAST = ['rivers', 'stone', 'vale', 'brook', 'frost', 'lake', 'wood', 'hill', 'moss', 'reed'];
const TAGS = ['travel', 'food', 'sunset', 'coffee', 'hiking', 'art', 'citylife', 'nature', 'books', 'music', 'design', 'dogsofinstagram'];
const LINES = ['Golden hour never disappoints', 'New week, new light', 'Found this little place today', 'Cannot stop thinking about this view', 'Weekend mood', 'Made it to the top!', 'Slow mornings are the best', 'Trying something new'];
const COMMENTS = ['Love this!', 'Where is this?', 'Stunning', 'Take me there', 'So good', 'This made my day', 'Wow, the colours'];

interface Account {
  userId: string;
  username: string;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The platform's rate limits apply to the demo as to any client (per account; loopback callers
// skip the per-address ones). A first run stays under the default limits (its busiest account
// makes at most 26 uploads, the media class allows 30 per 30 minutes), but a re-run, or tighter
// RATE_LIMIT_<CLASS> settings, meet a 429: the request waits as long as its Retry-After says and
// goes again, as a well-behaved client does.
let lastWaitNotice = 0;
const fetchWithinLimits = async (url: string, init: RequestInit): Promise<Response> => {
  for (;;) {
    const response = await fetch(url, init);
    if (response.status !== 429) return response;
    await response.body?.cancel();
    const seconds = Math.max(1, Number(response.headers.get('retry-after')) || 1);
    if (Date.now() - lastWaitNotice > 10_000) {
      lastWaitNotice = Date.now();
      console.log(`rate limited on ${init.method} ${new URL(url).pathname}: waiting ${seconds} s (Retry-After) ...`);
    }
    await sleep(seconds * 1000);
  }
};

const call = async (method: string, path: string, token?: string, body?: unknown) => {
  const response = await fetchWithinLimits(`${API}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, body: json };
};

const account = async (username: string, password: string, displayName: string): Promise<Account> => {
  const registered = await call('POST', '/api/v1/users/register', undefined, { username, email: `${username}@demo.example`, password, displayName });
  const { status, body } = registered.status === 409 ? await call('POST', '/api/v1/users/login', undefined, { username, password }) : registered;
  if (status >= 300) throw new Error(`cannot get ${username}: ${status} ${JSON.stringify(body)}`);
  return { userId: String(body.userId), username, token: String(body.accessToken) };
};

/**
 * Uploads a generated picture through the media flow and answers its mediaId once processed:
 * POST /media/uploads, PUT the bytes to the presigned URL with its headers, POST complete, then
 * GET /media/{id} until it is ready.
 */
const upload = async (owner: Account, seed: number, size: { width: number; height: number }, purpose: 'post' | 'story' | 'avatar'): Promise<string> => {
  const bytes = await demoImage(seed, size.width, size.height);
  const requested = await call('POST', '/api/v1/media/uploads', owner.token, { filename: `demo-${seed}.jpg`, contentType: 'image/jpeg', size: bytes.length, purpose });
  if (requested.status !== 201) throw new Error(`upload request refused: ${requested.status} ${JSON.stringify(requested.body)}`);
  const { mediaId, uploadUrl, headers } = requested.body as { mediaId: string; uploadUrl: string; headers: Record<string, string> };
  const put = await fetchWithinLimits(uploadUrl, { method: 'PUT', headers, body: bytes });
  if (!put.ok) throw new Error(`the upload of ${mediaId} was refused: ${put.status} ${await put.text()}`);
  const completed = await call('POST', `/api/v1/media/${mediaId}/complete`, owner.token);
  if (completed.status !== 202) throw new Error(`completing ${mediaId} was refused: ${completed.status} ${JSON.stringify(completed.body)}`);
  for (let waited = 0; waited < 120_000; waited += 250) {
    const { body } = await call('GET', `/api/v1/media/${mediaId}`, owner.token);
    if (body.status === 'ready') return mediaId;
    if (body.status === 'rejected') throw new Error(`media ${mediaId} was rejected: ${String(body.reason)}`);
    await sleep(250);
  }
  throw new Error(`media ${mediaId} was not processed within two minutes: is a worker running (role all or worker)?`);
};

/** Runs `work` over `items`, `width` at a time. */
const inBatches = async <T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<unknown>) => {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)));
};

const main = async () => {
  if ((await fetch(`${API}/health`).catch(() => null))?.status !== 200) throw new Error(`no platform answers at ${API}: start it with npm start`);
  console.log(`building the demo world at ${API} ...`);
  const names = Array.from({ length: USERS }, (_, i) => `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= 200 ? i : ''}`);
  const people: Account[] = [];
  await inBatches(names, 8, async (name) => people.push(await account(name, 'demo-password', name.replace('.', ' '))));
  people.sort((a, b) => names.indexOf(a.username) - names.indexOf(b.username));
  const demo = await account(DEMO_LOGIN.username, DEMO_LOGIN.password, 'Demo User');

  // Avatars for most accounts (a re-run replaces them: each upload is used once).
  await inBatches([...people.filter(() => random() < 0.8), demo], 8, async (person, index) => {
    const mediaId = await upload(person, 5_000 + index, { width: 400, height: 400 }, 'avatar');
    await call('PUT', `/api/v1/users/${person.username}/avatar`, person.token, { mediaId });
  });

  // Every 9th account is private, except the most popular few.
  const privateAccounts = new Set(people.filter((_, i) => i > 5 && i % 9 === 0).map((p) => p.userId));
  await inBatches([...privateAccounts], 8, (id) => {
    const person = people.find((p) => p.userId === id)!;
    return call('PUT', `/api/v1/users/${person.username}`, person.token, { private: true });
  });

  // Power law: the account of rank r is chosen with weight 1 / r^1.2, so a handful gather most follows.
  const weights = people.map((_, rank) => 1 / (rank + 1) ** 1.2);
  const total = weights.reduce((a, b) => a + b, 0);
  const popular = () => {
    let x = random() * total;
    for (let i = 0; i < people.length; i++) if ((x -= weights[i]!) <= 0) return people[i]!;
    return people.at(-1)!;
  };
  const follows: [Account, Account][] = [];
  for (const follower of [...people, demo]) {
    const targets = new Set<Account>();
    const want = follower === demo ? 25 : between(5, 30);
    for (let i = 0; i < want * 3 && targets.size < want; i++) targets.add(popular());
    targets.delete(follower);
    for (const target of targets) follows.push([follower, target]);
  }
  await inBatches(follows, 16, ([follower, target]) => call('POST', `/api/v1/users/${target.username}/follow`, follower.token));
  // Private accounts approve most of their requests.
  const approvals = follows.filter(([, target]) => privateAccounts.has(target.userId) && random() < 0.7);
  await inBatches(approvals, 16, ([follower, target]) => call('POST', `/api/v1/follow-requests/${follower.username}/approve`, target.token));
  // Whose posts an account may like and comment on, as the platform decides (docs/rules.md): a
  // public account's, its own, and a private account's that approved its follow request. The
  // demo engages only there, so that a run meets no refusal (403 PRIVATE_ACCOUNT).
  const approved = new Set(approvals.map(([follower, target]) => `${follower.userId}>${target.userId}`));
  const maySee = (viewer: Account, author: Account) =>
    !privateAccounts.has(author.userId) || viewer.userId === author.userId || approved.has(`${viewer.userId}>${author.userId}`);

  const posts: { postId: string; author: Account }[] = [];
  const postPlan = people.flatMap((author, rank) => Array.from({ length: rank < 10 ? between(4, 8) : between(1, 4) }, () => author));
  await inBatches(postPlan, 12, async (author) => {
    const tags = Array.from({ length: between(1, 4) }, () => `#${pick(TAGS)}`).join(' ');
    const mention = random() < 0.4 ? ` with @${pick(people).username}` : '';
    // One post in six is a carousel of two or three.
    const pictures = random() < 1 / 6 ? between(2, 3) : 1;
    const seed = between(1, 1e6);
    const media = await Promise.all(Array.from({ length: pictures }, async (_, i) => ({ mediaId: await upload(author, seed + i, { width: 1080, height: 1350 }, 'post') })));
    const { body } = await call('POST', '/api/v1/posts', author.token, { caption: `${pick(LINES)}${mention} ${tags}`, media });
    if (body.postId) posts.push({ postId: String(body.postId), author });
  });

  // Likes and comments, mostly on popular posts; some comments get a reply from the author.
  const reactions = Array.from({ length: posts.length * 6 }, () => ({ post: pick(posts), fan: pick(people) })).filter(({ post, fan }) => maySee(fan, post.author));
  await inBatches(reactions, 16, async ({ post, fan }) => {
    await call('POST', `/api/v1/posts/${post.postId}/like`, fan.token);
    if (random() < 0.25) {
      const { body } = await call('POST', `/api/v1/posts/${post.postId}/comments`, fan.token, { text: pick(COMMENTS) });
      if (body.commentId && random() < 0.5) {
        await call('POST', `/api/v1/posts/${post.postId}/comments`, post.author.token, { text: `@${fan.username} thank you!`, parentCommentId: body.commentId });
      }
    }
  });

  await inBatches(people.filter(() => random() < 0.3), 8, async (author, index) =>
    call('POST', '/api/v1/stories', author.token, { media: { mediaId: await upload(author, 9_000 + index, { width: 1080, height: 1920 }, 'story') } }),
  );

  console.log(`done: ${people.length + 1} accounts (${privateAccounts.size} private), ${follows.length} follows, ${posts.length} posts.`);
  console.log(`most followed: ${people.slice(0, 3).map((p) => '@' + p.username).join(', ')} (celebrities when FEED_CELEBRITY_THRESHOLD is below their follower count)`);
  console.log(`log in as ${DEMO_LOGIN.username} / ${DEMO_LOGIN.password}:\n  curl -s -XPOST ${API}/api/v1/users/login -H 'content-type: application/json' -d '{"username":"demo","password":"demo-password"}'`);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
