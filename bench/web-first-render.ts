import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS, ensureChromium } from '../test/support/chromium.js';
import { startEntrypoint, waitUntilReady } from '../test/support/entrypoint.js';
import { freePort } from '../scripts/services/probe.js';
import { initialJsGzip } from '../test/support/web-browser.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// The web client's first render on the demo data (issue 18's budget: the home feed's first render
// under 1 s): the platform as `npm start` runs it (app/main.ts, PostgreSQL in a scratch schema,
// media on local disk, the web client built from web/), filled by `npm run demo` (DEMO_USERS
// accounts, default 150), then Chromium logs in as the demo user and loads the home feed RUNS
// times (default 5) on a fresh page each: when the first page of posts was on screen (the mark
// web/src/screens/home.tsx sets) and when the first image finished loading (media-view.tsx's).
// The baseline, in the same run and browser: the login screen's first contentful paint, a page
// that asks the API nothing. Run: npm run bench:web
const USERS = process.env.DEMO_USERS ?? '150';
const RUNS = Number(process.env.RUNS ?? 5);
const ROOT = resolve(import.meta.dirname, '..');
// scripts/demo-data.ts's demo account (importing it would run the demo).
const DEMO_LOGIN = { username: 'demo', password: 'demo-password' };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
};

const chromiumPath = await ensureChromium();
if (!chromiumPath) throw new Error('no Chromium (see the line above): apt-get install -y chromium');
const scratch = await createScratchSchema('bench_web');
const dataDir = await mkdtemp(join(tmpdir(), 'bench-web-'));
const webRoot = join(dataDir, 'web');
await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true, sourcemap: false } });
const port = await freePort();
const server = await startEntrypoint(dataDir, { DATABASE_URL: scratch.url, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, WEB_ROOT: webRoot, LOG_LEVEL: 'warn' });
const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
try {
  await waitUntilReady(server.address);
  const seeding = performance.now();
  const demo = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/demo-data.ts')], { cwd: ROOT, env: { ...process.env, API_URL: server.address, DEMO_USERS: USERS }, stdio: 'inherit' });
  const code = await new Promise<number | null>((done) => demo.once('exit', done));
  if (code !== 0) throw new Error(`npm run demo exited with ${code}`);
  console.log(`demo data: ${USERS} accounts in ${((performance.now() - seeding) / 1000).toFixed(0)} s`);

  const login = await fetch(`${server.address}/api/v1/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: DEMO_LOGIN.username, password: DEMO_LOGIN.password }) });
  if (!login.ok) throw new Error(`demo login: ${login.status} ${await login.text()}`);
  const session = JSON.stringify(await login.json());

  const loginPaints: number[] = [];
  const feedRenders: number[] = [];
  const firstImages: number[] = [];
  const firstContentfulPaint = (page: Page) =>
    page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN);
  for (let run = 0; run < RUNS; run++) {
    // Signed out: the login screen, drawn from the bundle alone.
    const guest = await browser.newContext({ viewport: { width: 480, height: 900 } });
    const loginPage = await guest.newPage();
    await loginPage.goto(`${server.address}/login`);
    await loginPage.getByRole('button', { name: 'Log in' }).waitFor();
    await loginPage.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    loginPaints.push(await firstContentfulPaint(loginPage));
    await guest.close();
    // Signed in (the session as the login screen stores it): the home feed and its first image.
    const signedIn = await browser.newContext({ viewport: { width: 480, height: 900 } });
    await signedIn.addInitScript((stored: string) => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('instagram-es.session', stored), session);
    const page = await signedIn.newPage();
    await page.goto(`${server.address}/`);
    await page.locator('.media[data-state="loaded"]').first().waitFor({ timeout: 30_000 });
    const marks = await page.evaluate(() => {
      const seen = globalThis as unknown as { __feedRenderedAt?: number; __firstImageAt?: number };
      return { feed: seen.__feedRenderedAt ?? Number.NaN, image: seen.__firstImageAt ?? Number.NaN };
    });
    feedRenders.push(marks.feed);
    firstImages.push(marks.image);
    await signedIn.close();
  }
  const { total } = await initialJsGzip(webRoot);
  console.log(`login screen first paint (baseline) ${median(loginPaints)} ms; home feed first render ${median(feedRenders)} ms; first image ${median(firstImages)} ms (medians of ${RUNS}, ms after navigation start)`);
  console.log(`initial JS ${(total / 1024).toFixed(1)} KB gzipped`);
  printFigures('web', {
    demoUsers: Number(USERS),
    runs: RUNS,
    homeFeedFirstRenderMs: median(feedRenders),
    firstImageMs: median(firstImages),
    baselineLoginFirstPaintMs: median(loginPaints),
    initialJsGzipBytes: total,
  });
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await server.exited;
  await scratch.drop();
  await rm(dataDir, { recursive: true, force: true });
}
