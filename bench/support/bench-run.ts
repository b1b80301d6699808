import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';

// Shared by the HTTP benchmarks: the API in a child process (so the load generator does not share
// its event loop), a client for seeding it, and autocannon runs printed as one table.

export interface BenchServer {
  address: string;
  /**
   * CPU time (user + system, microseconds) the server process has used so far: the difference over
   * a run, per request, is what a request costs the API itself, a figure that other work on a
   * shared machine slows down far less than it does requests per second.
   */
  cpuMicros(): Promise<number>;
  /** The server's garbage collections so far (counts and milliseconds, minor and major): differences over a run, per request, as cpuMicros. */
  gc(): Promise<GcTally>;
  stop(): Promise<void>;
}

export interface GcTally {
  minor: number;
  minorMs: number;
  major: number;
  majorMs: number;
}

export const startBenchServer = async (env: Record<string, string>): Promise<BenchServer> => {
  const profile = process.env.CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`, ...(process.env.CPU_PROF_INTERVAL ? [`--cpu-prof-interval=${process.env.CPU_PROF_INTERVAL}`] : [])]
    : [];
  const child: ChildProcess = fork(new URL('./bench-server.ts', import.meta.url).pathname, [], {
    // A Redis Cluster only for a bench that names one (urls.env, sourced for the other servers, lists the tests' cluster).
    env: { ...process.env, REDIS_CLUSTER_NODES: '', ...env },
    // Node's flags as npm start, start:prod and the image run the platform (docs/capacity.md "Node's young generation").
    execArgv: ['--import', 'tsx', '--max-semi-space-size=32', ...profile],
  });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { address: string }) => resolve(m.address));
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  /** One question to the server process (bench-server.ts), answered in the message's field of the same name. */
  const ask = <T>(question: 'cpu' | 'gc') =>
    new Promise<T>((resolve) => {
      const answer = (m: Record<string, unknown>) => {
        if (!(question in m)) return;
        child.off('message', answer);
        resolve(m[question] as T);
      };
      child.on('message', answer);
      child.send(question);
    });
  return {
    address,
    cpuMicros: async () => {
      const { user, system } = await ask<{ user: number; system: number }>('cpu');
      return user + system;
    },
    gc: () => ask<GcTally>('gc'),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
};

export const jsonClient = (address: string) => async (method: string, path: string, token?: string, body?: unknown) => {
  const response = await fetch(`${address}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API under load
  return (await response.json()) as any;
};

export const load = (options: autocannon.Options) => autocannon(options);

export const printTable = (title: string, rows: [string, autocannon.Result][]) => {
  console.log(`\n${title}`);
  console.log(`${'route'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'non-2xx'.padStart(7)}`);
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(26)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(7)} ${String(r.latency.p99).padStart(7)} ${String(r.non2xx).padStart(7)}`,
    );
  }
};

/**
 * A home feed to read: a reader following `authors` authors who post `postsEach` posts each (on a
 * MEDIA_EXTERNAL_HOSTS host: cdn.example.com), seeded through the API; resolves once the reader's
 * first page is full (asking again while the projections catch up on a busy machine).
 */
export const seedHomeFeed = async (address: string, { authors, postsEach }: { authors: number; postsEach: number }): Promise<{ readerToken: string }> => {
  const api = jsonClient(address);
  const register = (name: string) =>
    api('POST', '/api/v1/users/register', undefined, { username: name, email: `${name}@example.com`, password: 'bench password' });
  const reader = await register('reader');
  let position = '';
  for (let a = 0; a < authors; a++) {
    const author = await register(`author${a}`);
    await api('POST', `/api/v1/users/author${a}/follow`, reader.accessToken);
    for (let p = 0; p < postsEach; p++) {
      const media = [{ url: `https://cdn.example.com/${a}/${p}.jpg`, type: 'image' }];
      ({ position } = await api('POST', '/api/v1/posts', author.accessToken, { caption: `post ${p} by ${a} #bench`, media }));
    }
  }
  // A read with ?minPosition= waits 2 s at most for the projections; on a busy machine, ask again.
  let first: { items?: unknown[] } = {};
  for (let attempt = 0; attempt < 30 && first.items?.length !== 20; attempt++) {
    first = await api('GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(position)}`, reader.accessToken);
  }
  if (first.items?.length !== 20) throw new Error(`expected a full first page, got ${JSON.stringify(first).slice(0, 200)}`);
  return { readerToken: reader.accessToken as string };
};
