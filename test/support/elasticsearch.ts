import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { readServiceUrls } from '../../app/service-urls.js';

// Elasticsearch for tests: ELASTICSEARCH_URL when set (or in .services/urls.env), else a real
// single-node Elasticsearch started on loopback by scripts/elasticsearch/start.sh (fetched from
// Maven Central on the first run; needs a JDK and Maven), stopped again after the run if this
// run started it.
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPTS = resolve(ROOT, 'scripts/elasticsearch');

export interface ElasticsearchHandle {
  url: string;
  stop(): Promise<void>;
}

/** A node this checkout started earlier (a developer's) is left running after the tests. */
const isRunning = async () => {
  const pid = Number(await readFile(resolve(ROOT, '.services/elasticsearch/run/es.pid'), 'utf8').catch(() => ''));
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const answers = async (url: string) => (await fetch(url).catch(() => null))?.ok === true;

export const ensureElasticsearch = async (): Promise<ElasticsearchHandle> => {
  const given = process.env.ELASTICSEARCH_URL ?? readServiceUrls(ROOT).ELASTICSEARCH_URL;
  if (given) {
    if (!(await answers(given))) throw new Error(`ELASTICSEARCH_URL is set but ${given} does not answer`);
    return { url: given, stop: async () => undefined };
  }
  const wasRunning = await isRunning();
  const { stdout } = await run('bash', [`${SCRIPTS}/start.sh`], { cwd: ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  const url = stdout.trim().split('\n').at(-1)!;
  return {
    url,
    stop: async () => {
      if (!wasRunning) await run('bash', [`${SCRIPTS}/stop.sh`], { cwd: ROOT }).catch(() => undefined);
    },
  };
};
