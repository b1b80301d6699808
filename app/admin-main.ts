import pg from 'pg';
import { createPersonalDataEventStore, createPostgresKeyStore } from '../events/personal-data/index.js';
import { ADMIN_EXIT, runAdminCli } from './admin-cli.js';
import { ConfigError, loadSettings } from './config.js';
import { cliPostgres } from './cli-postgres.js';
import { openEventStore } from './event-store.js';
import { resolvePersonalDataKey } from './personal-data-key.js';
import { withServiceUrls } from './service-urls.js';

// Entrypoint of the operator CLI (`npm run admin -- <command>`): the platform's DATABASE_URL and
// personal-data key (PERSONAL_DATA_KEY or DATA_DIR), and on the embedded defaults the bundled
// PostgreSQL under DATA_DIR, as the replay CLI finds it (app/replay-main.ts).

const main = async (): Promise<number> => {
  const settings = loadSettings(withServiceUrls(process.env, process.cwd()), []);
  const postgres = await cliPostgres(settings);
  const url = postgres.url;
  try {
    return await runAdminCli(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      connect: async () => {
        const masterKey = await resolvePersonalDataKey(settings.personalDataKey, settings.dataDir);
        const pool = new pg.Pool({ connectionString: url, max: 2 });
        const store = createPersonalDataEventStore(await openEventStore(settings.eventStoreUrl, pool), await createPostgresKeyStore(pool, masterKey));
        return {
          store,
          close: async () => {
            await store.close();
            await pool.end();
          },
        };
      },
    });
  } finally {
    await postgres.stop();
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(error instanceof ConfigError ? ADMIN_EXIT.usage : ADMIN_EXIT.failed);
  },
);
