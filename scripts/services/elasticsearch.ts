import { join, resolve } from 'node:path';
import { run } from './java.js';
import { livePid } from './probe.js';

// Elasticsearch: ELASTICSEARCH_URL when set, else the node of scripts/elasticsearch/start.sh
// (which is idempotent and prints the URL), with its files under <services>/elasticsearch.
const SCRIPTS = resolve(import.meta.dirname, '..', 'elasticsearch');

const envFor = (servicesDir: string) => ({ ...process.env, ES_SERVICE_DIR: join(servicesDir, 'elasticsearch') });

export const ensureElasticsearch = async (servicesDir: string): Promise<string> => {
  const { stdout } = await run('bash', [join(SCRIPTS, 'start.sh')], { env: envFor(servicesDir), timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split('\n').at(-1)!;
};

export const stopElasticsearch = async (servicesDir: string): Promise<boolean> => {
  const running = await livePid(join(servicesDir, 'elasticsearch', 'run', 'es.pid'), 'org.elasticsearch');
  if (running) await run('bash', [join(SCRIPTS, 'stop.sh')], { env: envFor(servicesDir) });
  return running !== null;
};
