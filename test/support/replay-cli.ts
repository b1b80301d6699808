import { connectReplay } from '../../app/replay-connect.js';
import { runReplayCli } from '../../replay/cli.js';
import { defaultSettings, TEST_PERSONAL_DATA_KEY } from './settings.js';
import type { TestApp } from './test-app.js';

export interface ReplayRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line (with --json). */
  records: Record<string, unknown>[];
}

/**
 * Runs the replay CLI in this process against a test app's servers and prefixes, as
 * `npm run replay -- <args>` would against the platform's. `onOutput` sees each stdout write
 * (e.g. to press Ctrl-C, abort `signal`, at a chosen moment).
 */
export const runReplay = async (
  app: TestApp,
  args: readonly string[],
  options: { signal?: AbortSignal; onOutput?: (text: string) => void } = {},
): Promise<ReplayRun> => {
  const defaults = defaultSettings();
  let stdout = '';
  let stderr = '';
  const code = await runReplayCli(args, {
    stdout: (text) => {
      stdout += text;
      options.onOutput?.(text);
    },
    stderr: (text) => (stderr += text),
    tty: false,
    signal: options.signal ?? new AbortController().signal,
    connect: connectReplay({
      ...defaults,
      databaseUrl: app.db.url,
      personalDataKey: TEST_PERSONAL_DATA_KEY,
      redisUrl: app.redis?.url,
      redisClusterNodes: app.redisCluster?.url.split(','),
      elasticsearchUrl: app.elasticsearch?.url,
      prefixes: { redis: app.redis?.prefix ?? app.redisCluster?.prefix ?? defaults.prefixes.redis, elasticsearch: app.elasticsearch?.prefix ?? defaults.prefixes.elasticsearch },
    }),
  });
  const records = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, records };
};
