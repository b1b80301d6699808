import type pg from 'pg';

// A large, realistic event log written straight into the events table by PostgreSQL itself
// (INSERT ... SELECT over generate_series), for the replay benchmark: users, follows, posts with
// hashtags and mentions, likes and comments, in proportions like the seeds' (one post per five
// follows, two likes and one comment per post, stories with a few views each). Appending a million events through the store
// would take minutes; the rows are shaped exactly as the store writes them.

const uuid = (tag: string, i: string) => `md5('${tag}' || ${i})::uuid`;
const at = (i: string) => `to_char(timestamptz '2025-01-01' + (${i}) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

interface Kind {
  type: string;
  version: number;
  /** The rows to turn into events: `s` counts them, other columns are shared by stream and data. */
  from?: (n: number) => string;
  stream: string;
  data: string;
}

export const generateLog = async (db: pg.Pool, total: number): Promise<Record<string, number>> => {
  const users = Math.max(10, Math.round(total * 0.02));
  const posts = Math.round(total * 0.16);
  const counts: Record<string, number> = {
    UsernameReserved: users,
    UserRegistered: users,
    Followed: Math.round(total * 0.2),
    PostCreated: posts,
    Liked: Math.round(total * 0.28),
    StoryPosted: Math.round(total * 0.02),
    StoryViewed: Math.round(total * 0.04),
    CommentAdded: 0,
  };
  counts.CommentAdded = total - Object.values(counts).reduce((a, b) => a + b, 0);
  const user = (i: string) => `((${i}) % ${users})`;
  const post = (i: string) => `((${i}) % ${posts})`;
  const stories = counts.StoryPosted!;
  const story = (i: string) => `((${i}) % ${Math.max(1, stories)})`;
  const kinds: Kind[] = [
    { type: 'UsernameReserved', version: 1, stream: `'username-user' || s`, data: `jsonb_build_object('username', 'user' || s, 'userId', ${uuid('u', 's')})` },
    {
      type: 'UserRegistered',
      version: 1,
      stream: `'user-' || ${uuid('u', 's')}`,
      data: `jsonb_build_object('userId', ${uuid('u', 's')}, 'username', 'user' || s, 'displayName', 'User ' || s, 'registeredAt', ${at('s')})`,
    },
    {
      // Each user follows others drawn with a skew (power of a uniform draw), so that a few are big.
      type: 'Followed',
      version: 1,
      from: (n) =>
        `select s, ${uuid('u', user('s'))} as follower, ${uuid('u', `floor(power(random(), 3) * ${users})::bigint`)} as followee from generate_series(0, ${n - 1}) s`,
      stream: `'follow-' || follower || '-' || followee`,
      data: `jsonb_build_object('followerId', follower, 'followeeId', followee, 'followedAt', ${at('s + 50000')})`,
    },
    {
      type: 'PostCreated',
      version: 2,
      stream: `'post-' || ${uuid('p', 's')}`,
      data: `jsonb_build_object('postId', ${uuid('p', 's')}, 'authorId', ${uuid('u', user('s'))}, 'caption', 'photo ' || s || ' #tag' || (s % 500) || ' @user' || (s % ${users}),
        'hashtags', jsonb_build_array('tag' || (s % 500)), 'mentions', jsonb_build_array('user' || (s % ${users})),
        'media', jsonb_build_array(jsonb_build_object('url', 'https://cdn.example.com/' || s || '.jpg', 'type', 'image')), 'createdAt', ${at('s + 100000')})`,
    },
    {
      type: 'Liked',
      version: 1,
      from: (n) => `select s, ${uuid('p', post('s'))} as post, ${uuid('u', `(s / ${posts}) % ${users}`)} as liker, ${uuid('u', user(post('s')))} as author from generate_series(0, ${n - 1}) s`,
      stream: `'like-' || post || '-' || liker`,
      data: `jsonb_build_object('postId', post, 'userId', liker, 'postAuthorId', author, 'likedAt', ${at('s + 200000')})`,
    },
    {
      type: 'StoryPosted',
      version: 1,
      stream: `'story-' || ${uuid('s', 's')}`,
      data: `jsonb_build_object('storyId', ${uuid('s', 's')}, 'authorId', ${uuid('u', user('s'))},
        'media', jsonb_build_object('url', 'https://cdn.example.com/s' || s || '.jpg', 'type', 'image'), 'postedAt', ${at('s + 250000')}, 'expiresAt', ${at('s + 250000 + 86400')})`,
    },
    {
      type: 'StoryViewed',
      version: 1,
      from: (n) => `select s, ${uuid('s', story('s'))} as story, ${uuid('u', user(story('s')))} as author, ${uuid('u', `(s / ${Math.max(1, stories)} + 1) % ${users}`)} as viewer from generate_series(0, ${n - 1}) s`,
      stream: `'storyview-' || story || '-' || viewer`,
      data: `jsonb_build_object('storyId', story, 'authorId', author, 'viewerId', viewer, 'viewedAt', ${at('s + 260000')})`,
    },
    {
      type: 'CommentAdded',
      version: 1,
      stream: `'comment-' || ${uuid('c', 's')}`,
      data: `jsonb_build_object('commentId', ${uuid('c', 's')}, 'postId', ${uuid('p', post('s'))}, 'authorId', ${uuid('u', `(s * 7) % ${users}`)}, 'postAuthorId', ${uuid('u', user(post('s')))},
        'parentCommentId', null, 'text', 'nice ' || s, 'mentions', '[]'::jsonb, 'createdAt', ${at('s + 300000')})`,
    },
  ];
  for (const kind of kinds) {
    const n = counts[kind.type]!;
    if (n <= 0) continue;
    await db.query(
      `insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
       select ${kind.stream}, 0, gen_random_uuid(), '${kind.type}', ${kind.version}, ${kind.data},
              jsonb_build_object('correlationId', gen_random_uuid(), 'causationId', null, 'actorId', null, 'occurredAt', ${at('s')})
       from (${kind.from?.(n) ?? `select s from generate_series(0, ${n - 1}) s`}) g
       on conflict (stream_id, stream_revision) do nothing`,
    );
  }
  const { rows } = await db.query<{ n: string }>('select count(*) as n from events');
  return { ...counts, inserted: Number(rows[0]!.n) };
};
