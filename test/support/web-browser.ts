import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { demoImage } from '../../scripts/demo-images.js';
import { CHROMIUM_ARGS } from './chromium.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';
import { freePort } from '../../scripts/services/probe.js';

// The harness of the browser tests (test/e2e/web-*.browser.test.ts and web-browser.test.ts): a
// build of the current web/ code, the real API serving it on a real port, Debian's Chromium
// (headless, playwright-core), and the steps every browser test takes: a page that records the
// app's errors, a screenshot with axe-core's audit of the screen, registering through the UI,
// calls to the API as another client would make them, and a real JPEG through the upload flow.

export const PASSWORD = 'correct horse battery';
/** Where each run's screenshots go; `SAVE_SCREENS=1` copies them to docs/screens/ for the README. */
export const SCREENS = resolve(import.meta.dirname, '../../test-results/screens');
const DOCS_SCREENS = resolve(import.meta.dirname, '../../docs/screens');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A page that keeps the app's uncaught errors and console errors (failed resource loads aside). */
export type RecordingPage = Page & { errors: string[] };

export interface WebHarness {
  origin: string;
  t: TestApp;
  browser: Browser;
  outDir: string;
  /** axe-core's findings on each screen shot (WCAG 2 A and AA rules and best practices), by screen. */
  findings: Record<string, string[]>;
  /** Figures printed at the end of the file's run (not asserted). */
  report: Record<string, string>;
  newPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: RecordingPage }>;
  /** A screenshot of the screen under test-results/screens/, and axe-core's audit of it. */
  shot(page: Page, name: string): Promise<void>;
  /** Registers through the UI and waits for the home screen; the session's access token. */
  registerThroughUi(page: Page, username: string, name: string): Promise<string>;
  /** The API as another client calls it, with the token given; throws on an error answer. */
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, token: string, body?: unknown): Promise<Record<string, unknown>>;
  /** A real JPEG through the upload flow (request, PUT, complete, processed by the media worker); its mediaId. */
  upload(token: string, seed: number, width: number, height: number): Promise<string>;
  postPhotos(token: string, caption: string, photos: [seed: number, width: number, height: number][]): Promise<{ postId: string; position: string }>;
  close(): Promise<void>;
}

/** Builds web/, starts the API serving it on a free port and launches Chromium at `chromiumPath`. */
export const startWebHarness = async (chromiumPath: string, options: TestAppOptions = {}): Promise<WebHarness> => {
  // A build of the current web/ code of this test's own (the served one may be stale).
  const outDir = await mkdtemp(join(tmpdir(), 'web-build-'));
  await build({ configFile: resolve(import.meta.dirname, '../../web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // Media URLs point at this origin (the local storage's signed /media-files/ URLs).
  const t = await startTestApp({ webRoot: outDir, ...options, media: { publicUrl: origin, ...options.media } });
  await t.app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  await mkdir(SCREENS, { recursive: true });
  const findings: Record<string, string[]> = {};
  const report: Record<string, string> = {};
  let axeSource: string | undefined;

  const call: WebHarness['call'] = async (method, path, token, body) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (response.status === 204 ? {} : await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  const upload: WebHarness['upload'] = async (token, seed, width, height) => {
    const bytes = await demoImage(seed, width, height);
    const asked = (await call('POST', '/api/v1/media/uploads', token, { filename: `photo-${seed}.jpg`, contentType: 'image/jpeg', size: bytes.length })) as { mediaId: string; uploadUrl: string; headers: Record<string, string> };
    const put = await fetch(asked.uploadUrl, { method: 'PUT', headers: asked.headers, body: bytes });
    expect(put.status).toBeLessThan(300);
    const completed = (await call('POST', `/api/v1/media/${asked.mediaId}/complete`, token)) as { position: string };
    for (let attempt = 0; ; attempt++) {
      // The media read model has the completion before the first look (read-your-writes).
      const media = await call('GET', `/api/v1/media/${asked.mediaId}?minPosition=${completed.position}`, token);
      if (media.status === 'ready') return asked.mediaId;
      if (media.status === 'rejected' || attempt > 200) throw new Error(`media not processed: ${JSON.stringify(media)}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  };

  return {
    origin,
    t,
    browser,
    outDir,
    findings,
    report,
    async newPage(viewport = { width: 480, height: 900 }) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light' });
      const page = (await context.newPage()) as RecordingPage;
      page.errors = [];
      page.on('pageerror', (error) => page.errors.push(error.message));
      page.on('console', (message) => message.type() === 'error' && !/Failed to load resource/.test(message.text()) && page.errors.push(message.text()));
      return { context, page };
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: false });
      // Evaluated through the DevTools protocol, which the page's content security policy does not
      // govern (a script tag would be refused by it: the app runs under its real policy here).
      axeSource ??= await readFile(AXE, 'utf8');
      await page.evaluate(axeSource);
      findings[name] = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return result.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      });
    },
    async registerThroughUi(page, username, name) {
      await page.goto(`${origin}/register`);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Email').fill(`${username}@example.com`);
      await page.getByLabel('Name (optional)').fill(name);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Home' }).waitFor();
      const session = JSON.parse((await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('instagram-es.session')))!) as { accessToken: string };
      return session.accessToken;
    },
    call,
    upload,
    async postPhotos(token, caption, photos) {
      const media = [];
      for (const [seed, width, height] of photos) media.push({ mediaId: await upload(token, seed, width, height) });
      return (await call('POST', '/api/v1/posts', token, { caption, media })) as { postId: string; position: string };
    },
    async close() {
      await browser.close();
      await t.close();
      await rm(outDir, { recursive: true, force: true });
      console.log(`[web] accessibility (axe-core): ${JSON.stringify(findings)}`);
      if (Object.keys(report).length > 0) console.log(`[web] ${Object.entries(report).map(([name, value]) => `${name}: ${value}`).join('; ')}`);
      // Copies of the screenshots for the README, when asked (SAVE_SCREENS=1 npx vitest run ...).
      if (process.env.SAVE_SCREENS) {
        await mkdir(DOCS_SCREENS, { recursive: true });
        for (const file of await readdir(SCREENS)) await copyFile(join(SCREENS, file), join(DOCS_SCREENS, file));
      }
    },
  };
};

/** The gzipped bytes of the JavaScript index.html loads at start (its module scripts and their preloads). */
export const initialJsGzip = async (dir: string) => {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(join(dir, file))).length;
  return { files, total };
};

/** Every audited screen without an axe-core finding, and no app error on any page given. */
export const expectCleanRun = (harness: WebHarness, pages: RecordingPage[]) => {
  for (const [screen, found] of Object.entries(harness.findings)) expect(found, screen).toEqual([]);
  for (const page of pages) expect(page.errors).toEqual([]);
};
