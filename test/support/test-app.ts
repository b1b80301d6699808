import type { FastifyInstance } from 'fastify';
import { createPlatform, type Platform } from '../../app/platform.js';
import { buildServer } from '../../app/server.js';
import { START } from '../../events/index.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  db: TestDatabase;
  /** Every event in the log, in order. */
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
      const { events } = await platform.commands.store.readAll(START, 1_000_000);
      return events.map(({ type, streamId }) => ({ type, streamId }));
    },
    async close() {
      await app.close();
      await platform.close();
      await db.drop();
    },
  };
};
