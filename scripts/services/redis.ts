import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isRedisReachable } from '../../app/redis-reachable.js';
import { run } from './java.js';
import { livePid, portAnswers, stopPid, waitFor } from './probe.js';

// Redis: the one that answers on 127.0.0.1:<port>, else a server of our own. Its binary is the
// `redis-server` on PATH, else Debian's, unpacked without root: `apt-get download` of
// redis-tools (which holds the binary; redis-server only adds the service files and a symlink)
// and the libraries it may lack, `dpkg -x` into <services>/redis/root.
const DEBIAN_PACKAGES = ['redis-tools', 'liblzf1', 'libjemalloc2'];

/** The project's probe, under the name the other services use. */
export const redisAnswers = isRedisReachable;

const onPath = async (name: string) => (await run('sh', ['-c', `command -v ${name}`]).catch(() => null))?.stdout.trim() || null;

/** The binary to run, and the library folder it needs (when unpacked from Debian's packages). */
export const redisBinary = async (home: string): Promise<{ binary: string; libraries?: string }> => {
  const root = join(home, 'root');
  const unpacked = { binary: join(root, 'usr/bin/redis-server'), libraries: join(root, 'usr/lib/x86_64-linux-gnu') };
  if (existsSync(unpacked.binary)) return unpacked;
  const installed = process.env.SERVICES_REDIS_FROM === 'debian' ? null : await onPath('redis-server');
  if (installed) return { binary: installed };
  console.error(`[redis] no redis-server: unpacking Debian's ${DEBIAN_PACKAGES.join(', ')} into ${root}`);
  const debs = join(home, 'debs');
  await mkdir(debs, { recursive: true });
  await run('apt-get', ['download', ...DEBIAN_PACKAGES], { cwd: debs });
  for (const deb of (await readdir(debs)).filter((name) => name.endsWith('.deb'))) await run('dpkg', ['-x', join(debs, deb), root]);
  await rm(debs, { recursive: true, force: true });
  // Debian's redis-server is a symlink to redis-check-rdb: the binary acts on the name it runs as.
  await symlink('redis-check-rdb', unpacked.binary);
  return unpacked;
};

export interface RedisService {
  url: string;
  ours: boolean;
}

export const ensureRedis = async (servicesDir: string, port: number): Promise<RedisService> => {
  const url = `redis://127.0.0.1:${port}`;
  const home = join(servicesDir, 'redis');
  const pidFile = join(home, 'redis.pid');
  if (await livePid(pidFile, 'redis')) return { url, ours: true };
  if (await redisAnswers(url)) return { url, ours: false };
  if (await portAnswers(port)) throw new Error(`[redis] 127.0.0.1:${port} is taken by something that does not answer PING`);
  const { binary, libraries } = await redisBinary(home);
  await mkdir(join(home, 'data'), { recursive: true });
  console.error(`[redis] starting ${binary} on 127.0.0.1:${port}`);
  const env = libraries ? { ...process.env, LD_LIBRARY_PATH: libraries } : process.env;
  const args = ['--port', `${port}`, '--bind', '127.0.0.1', '--daemonize', 'yes', '--pidfile', pidFile, '--dir', join(home, 'data')];
  await run(binary, [...args, '--save', '', '--appendonly', 'no', '--logfile', join(home, 'redis.log')], { env });
  await waitFor(`[redis] ${url} to answer`, 10_000, () => redisAnswers(url));
  return { url, ours: true };
};

export const stopRedis = async (servicesDir: string): Promise<boolean> => {
  const pid = await livePid(join(servicesDir, 'redis', 'redis.pid'), 'redis');
  if (pid) await stopPid(pid);
  return pid !== null;
};
