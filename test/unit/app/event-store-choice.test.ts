import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openEventStore } from '../../../app/event-store.js';

// Which adapter EVENTSTORE_URL picks, without a server: the EventStoreDB client connects on its
// first call, and the pool, which only the PostgreSQL store would use, is never connected.
describe('the event store the platform opens', () => {
  it('is EventStoreDB when EVENTSTORE_URL is set: no snapshots (PostgreSQL only), and the pool stays unused', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const store = await openEventStore('esdb://127.0.0.1:1?tls=false', pool);
      expect(store.snapshots).toBeUndefined();
      expect(typeof store.onAppend).toBe('function');
      await store.close();
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
