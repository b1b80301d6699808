import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { createScratchSchema } from './support/scratch-schema.js';

// Create-post over HTTP at 50 connections, next to a same-run baseline: the same server
// answering a no-op POST through the same hooks. The server runs in a child process so that the
// load generator does not share its event loop.
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);

const scratch = await createScratchSchema('bench_http');
const server = fork(new URL('./support/bench-server.ts', import.meta.url).pathname, [], {
  env: { ...process.env, DATABASE_URL: scratch.url },
  execArgv: ['--import', 'tsx', ...(process.env.CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : [])],
});
try {
  const address = await new Promise<string>((resolve, reject) => {
    server.once('message', (m: { address: string }) => resolve(m.address));
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const registered = await fetch(`${address}/api/v1/users/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', email: 'bench@example.com', password: 'bench password' }),
  });
  const { token } = (await registered.json()) as { token: string };
  const body = JSON.stringify({ caption: 'benchmark #bench @bench', media: [{ url: 'https://cdn.example.com/b.jpg', type: 'image' }] });
  const run = (path: string) =>
    autocannon({
      url: `${address}${path}`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: DURATION_S,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  await run('/bench/noop'); // warm-up: JIT, connection pools
  const baseline = await run('/bench/noop');
  const createPost = await run('/api/v1/posts');
  const row = (name: string, r: autocannon.Result) =>
    `${name.padEnd(22)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(7)} ${String(r.latency.p99).padStart(7)} ${String(r.non2xx).padStart(7)}`;
  console.log(`\n${CONNECTIONS} connections, ${DURATION_S}s each`);
  console.log(`${'route'.padEnd(22)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'non-2xx'.padStart(7)}`);
  console.log(row('no-op POST (baseline)', baseline));
  console.log(row('POST /api/v1/posts', createPost));
  console.log(`create-post / baseline: ${(createPost.requests.average / baseline.requests.average).toFixed(3)}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await scratch.drop();
}
