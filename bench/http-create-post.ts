import { httpFigures, printFigures } from './support/report.js';
import { jsonClient, load, printTable, startBenchServer } from './support/bench-run.js';
import { postgresBackendCpu } from './support/postgres-cpu.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Create-post over HTTP at 50 connections, next to a same-run baseline: the same server
// answering a no-op POST through the same hooks (authentication, body parsing, validation).
// ROLE=api (the default here) measures the write path alone, with the projectors in another
// process as in a scaled deployment; ROLE=all runs them in the same process, sharing its cores.
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
/** Seconds of create-post before it is measured (WARM_UP; 0: none, as before 2026-12-04). */
const WARM_UP_S = Number(process.env.WARM_UP ?? 5);

const scratch = await createScratchSchema('bench_http');
const ROLE = process.env.ROLE ?? 'api';
// The server's connections carry the scratch schema's name, so that the CPU of their PostgreSQL
// backends can be told apart from the others' on a shared server (support/postgres-cpu.ts).
const serverUrl = new URL(scratch.url);
serverUrl.searchParams.set('application_name', scratch.schema);
const postgresCpu = await postgresBackendCpu(scratch.url, scratch.schema);
// The posts link their media on cdn.example.com: without it allowed every create is a 422, fast and
// meaningless (the run refuses to report figures with any non-2xx answer).
const server = await startBenchServer({ DATABASE_URL: serverUrl.toString(), ROLE, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' });
try {
  const api = jsonClient(server.address);
  const { accessToken: token } = await api('POST', '/api/v1/users/register', undefined, {
    username: 'bench',
    email: 'bench@example.com',
    password: 'bench password',
  });
  const body = JSON.stringify({ caption: 'benchmark #bench @bench', media: [{ url: 'https://cdn.example.com/b.jpg', type: 'image' }] });
  const run = (path: string, duration = DURATION_S) =>
    load({
      url: `${server.address}${path}`,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
  // Each run also measures the server's CPU time per request (bench-run.ts cpuMicros), and that of
  // its PostgreSQL backends: on a shared machine requests per second move with the others' load,
  // the cost per request far less.
  const measured = async (path: string) => {
    const before = await server.cpuMicros();
    await postgresCpu.start();
    const result = await run(path);
    const postgresMicros = await postgresCpu.stop();
    const requests = result.requests.total;
    const perRequest = (micros: number) => (requests > 0 ? micros / requests : 0);
    return { result, cpuMicrosPerRequest: perRequest((await server.cpuMicros()) - before), postgresCpuMicrosPerRequest: postgresMicros === null ? null : perRequest(postgresMicros) };
  };
  await run('/bench/noop'); // warm-up: JIT, connection pools
  // And create-post's own path, compiled before it is measured: without it V8's optimizing
  // compiler ran through the measured run's first seconds (perf: ~0.6 s of its threads' CPU, some
  // 40 us a create at 2,200/s), a cost of the process's start that the figure per create took in.
  if (WARM_UP_S > 0) await run('/api/v1/posts', WARM_UP_S);
  const { result: baseline, cpuMicrosPerRequest: baselineCpu } = await measured('/bench/noop');
  const { result: createPost, cpuMicrosPerRequest: createPostCpu, postgresCpuMicrosPerRequest: createPostPostgresCpu } = await measured('/api/v1/posts');
  printTable(`${CONNECTIONS} connections, ${DURATION_S}s each, role ${ROLE}`, [
    ['no-op POST (baseline)', baseline],
    ['POST /api/v1/posts', createPost],
  ]);
  for (const [name, result] of [['no-op POST', baseline], ['POST /api/v1/posts', createPost]] as const) {
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors: not a measurement`);
  }
  console.log(`create-post / baseline: ${(createPost.requests.average / baseline.requests.average).toFixed(3)}`);
  console.log(`API CPU per request: create-post ${createPostCpu.toFixed(0)} us, no-op ${baselineCpu.toFixed(0)} us (no-op / create-post ${(baselineCpu / createPostCpu).toFixed(3)})`);
  console.log(`PostgreSQL backends' CPU per create-post: ${createPostPostgresCpu === null ? 'not measured (PostgreSQL is not on this machine)' : `${createPostPostgresCpu.toFixed(0)} us`}`);
  printFigures('http', {
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    warmUpSeconds: WARM_UP_S,
    role: ROLE,
    createPost: {
      ...httpFigures(createPost),
      cpuMicrosPerRequest: Math.round(createPostCpu),
      postgresCpuMicrosPerRequest: createPostPostgresCpu === null ? null : Math.round(createPostPostgresCpu),
    },
    baseline: { ...httpFigures(baseline), cpuMicrosPerRequest: Math.round(baselineCpu) },
    ratio: createPost.requests.average / baseline.requests.average,
    cpuRatio: baselineCpu / createPostCpu,
  });
} finally {
  await server.stop();
  await postgresCpu.close();
  await scratch.drop();
}
