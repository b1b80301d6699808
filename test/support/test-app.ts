import type { FastifyInstance } from 'fastify';
import { createPlatform, type Platform } from '../../app/platform.js';
import { buildServer } from '../../app/server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  db: TestDatabase;
  /**
   * Every committed event, in commit-table order. Read straight from the table: the global-log
   * reader of the port rightly holds back events while older transactions anywhere on the server
   * are still open, which would make "what was appended" checks depend on other test files.
   */
  allEvents(): Promise<{ type: string; streamId: string }[]>;
  close(): Promise<void>;
}

/** The real HTTP API on a fresh schema of the real PostgreSQL, driven with app.inject. */
export const startTestApp = async (options: { storyTtlMs?: number } = {}): Promise<TestApp> => {
  const db = await createTestDatabase();
  const platform = await createPlatform({
    databaseUrl: db.url,
    jwtSecret: 'test-secret-that-is-at-least-32-characters-long',
    storyTtlMs: options.storyTtlMs ?? 24 * 3600_000,
    poolSize: 10,
  });
  const app = await buildServer({ commands: platform.commands, idempotency: platform.idempotency });
  return {
    app,
    platform,
    db,
    async allEvents() {
      const { rows } = await db.pool.query<{ type: string; streamId: string }>(
        'select type, stream_id as "streamId" from events order by global_position',
      );
      return rows;
    },
    async close() {
      await app.close();
      await platform.close();
      await db.drop();
    },
  };
};
