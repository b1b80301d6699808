import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stopElasticsearch } from './elasticsearch.js';
import { stopKafka } from './kafka.js';
import { stopPostgres } from './postgres.js';
import { stopRedis } from './redis.js';
import { servicesSettings } from './settings.js';

// npm run services:down: stops what services:up started, known by the pid files under
// <services> (a server it found already running has none, and is left alone), and removes
// urls.env. Cached downloads and data stay, so the next services:up is quick.
const { servicesDir, services } = servicesSettings();

const stoppers = {
  postgres: () => stopPostgres(servicesDir),
  redis: () => stopRedis(servicesDir),
  kafka: () => stopKafka(join(servicesDir, 'kafka', 'node')),
  elasticsearch: () => stopElasticsearch(servicesDir),
};

const results = await Promise.allSettled(services.map(async (name) => [name, await stoppers[name]()] as const));
for (const result of results) {
  if (result.status === 'rejected') console.error(`[services] ${(result.reason as Error).message}`);
  else console.error(`[services] ${result.value[0]}: ${result.value[1] ? 'stopped' : 'not started by services:up'}`);
}
await rm(join(servicesDir, 'urls.env'), { force: true });
if (results.some((result) => result.status === 'rejected')) process.exit(1);
