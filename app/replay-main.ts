import { EXIT } from '../replay/context.js';
import { runReplayCli } from '../replay/cli.js';
import { ConfigError, loadSettings } from './config.js';
import { cliPostgres } from './cli-postgres.js';
import { connectReplay } from './replay-connect.js';
import { withServiceUrls } from './service-urls.js';

// Entrypoint of the replay CLI (`npm run replay -- <command>`, bin `instagram-es-replay`): the
// platform's configuration (DATABASE_URL, REDIS_URL, ELASTICSEARCH_URL, ...), and on the embedded
// defaults the bundled PostgreSQL under DATA_DIR: the running platform's when it is up, else
// started here for the command. The first Ctrl-C stops after the current batch; a second one exits.

// Piped into `head`: a closed stdout ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? EXIT.ok : EXIT.failed));

const main = async (): Promise<number> => {
  // Like npm start: the servers `npm run services:up` wrote to ./.services/urls.env fill in what the environment leaves unset.
  const settings = loadSettings(withServiceUrls(process.env, process.cwd()), []);
  const postgres = await cliPostgres(settings);
  const databaseUrl = postgres.url;
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit at once)\n');
    interrupt.abort();
  });
  try {
    return await runReplayCli(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      tty: process.stderr.isTTY === true,
      signal: interrupt.signal,
      connect: connectReplay({ ...settings, databaseUrl }),
    });
  } finally {
    await postgres.stop();
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(error instanceof ConfigError ? EXIT.usage : EXIT.failed);
  },
);
