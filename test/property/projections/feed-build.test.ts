import { describe, it } from 'vitest';
import { feedReadModel } from '../../../projections/feed/index.js';
import type { GenerationStorage, OpenReadModel } from '../../../projections/runtime/read-model.js';
import { anyHistory } from '../../support/history-arbitraries.js';
import { assertResumedBuildsEqual } from '../../support/projection-harness.js';
import { feedSettings } from '../../support/settings.js';
import { useLiveAndBuiltDatabases, type TestDatabase } from '../../support/test-database.js';

// The PostgreSQL feed built from the start of the log (mode 'build') appends the entries its pass
// has not written yet with COPY (feed-store-postgres.ts pushWhileBuilding), knowing which from the
// keys it wrote. For random histories, a build interrupted after some batches and resumed by
// another process (which knows none of the keys the first one wrote, and reads them back from
// the table), then finished, equals entry by entry the feed fed live in small batches.

const readModel = feedReadModel({ ...feedSettings({ celebrityThreshold: 3 }), redis: null });
const open = (db: TestDatabase, mode: GenerationStorage['mode']): OpenReadModel<unknown> =>
  readModel.open({ generation: 1, pool: db.pool, redisPrefix: '', elasticsearchPrefix: '', mode });
// What pushes an entry, or takes one out to be pushed again: posts, follows and their undoing,
// hashtag follows. Not deletions: an entry of a deleted post may outlive the delete, by the
// batching, in one generation and not the other; the dump leaves it out (feed-read-model.ts), but
// its feed's size still counts it.
const PUSHING = ['follow', 'unfollow', 'approveRequest', 'block', 'unblock', 'followHashtag', 'unfollowHashtag', 'createPost'] as const;

const databases = useLiveAndBuiltDatabases();

describe('the PostgreSQL feed built from the start of the log', { timeout: 300_000 }, () => {
  it('equals the live feed when another process resumes the build from its checkpoint', async () => {
    await assertResumedBuildsEqual(
      (mode) => open(databases.live, mode),
      (mode) => open(databases.built, mode),
      anyHistory({ maxUsers: 5, minIntents: 30, maxIntents: 90, kinds: PUSHING }),
    );
  });
});
