import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isClientRoute } from '../../app/http/web-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The web client as the API serves it (app/http/web-client.ts), on a stand-in build (an index and
// one hashed asset) so that this test needs no Vite run: caching headers, the SPA fallback, and
// that no route of the API or the operations is shadowed by the catch-all.

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="app"></div></body></html>';
let root: string;
let t: TestApp;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'web-dist-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), INDEX);
  await writeFile(join(root, 'assets', 'index-AbC123.js'), 'console.log("app")');
  t = await startTestApp({ webRoot: root });
});
afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('the web client served at /', () => {
  it('answers index.html at / and at client routes, revalidated on every navigation', async () => {
    for (const url of ['/', '/login', '/register', '/p/0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b', '/some/deep/route?order=ranked']) {
      const response = await get(url, { accept: 'text/html' });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(response.body, url).toBe(INDEX);
    }
    const first = await get('/');
    const again = await get('/login', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed assets cacheable for a year, immutable', async () => {
    const response = await get('/assets/index-AbC123.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe('console.log("app")');
  });

  it('answers a missing asset or file 404 ROUTE_NOT_FOUND, never the index', async () => {
    for (const url of ['/assets/index-Gone99.js', '/favicon.ico', '/assets/../index.html']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code, url).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('shadows no API or operations route: they answer as before', async () => {
    expect((await get('/health')).json()).toEqual({ status: 'ok' });
    expect((await get('/docs/json')).json().openapi).toBe('3.1.0');
    expect((await get('/metrics')).headers['content-type']).toMatch(/^text\/plain/);
    const unauthenticated = await get('/api/v1/feed/home');
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.json().error.code).toBe('UNAUTHORIZED');
    for (const url of ['/api/v1/nothing-here', '/api', '/docs/nothing-here', '/media-files/nothing']) {
      const response = await get(url, { accept: 'text/html' });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.headers['content-type'], url).toMatch(/^application\/json/);
      expect(response.body, url).not.toContain('<!doctype html>');
    }
    const post = await t.app.inject({ method: 'POST', url: '/login' });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('keeps the client routes out of the OpenAPI document, and rate limits them per address', async () => {
    const paths = Object.keys((await get('/docs/json')).json().paths);
    expect(paths.some((path) => path === '/' || path.startsWith('/assets') || path === '/*')).toBe(false);
    const classOf = (url: string) => t.app.rateLimitClasses.find((route) => route.method === 'GET' && route.url === url)?.rateLimit;
    expect(classOf('/')).toBe('anonymous');
    expect(classOf('/*')).toBe('anonymous');
    expect(classOf('/assets/*')).toBe('anonymous');
  });
});

describe('isClientRoute', () => {
  it('tells the client routes from the API, the operations routes and files', () => {
    for (const path of ['/', '/login', '/p/abc', '/u/alice/tagged', '/u/jane.doe', '/u/jane.doe/followers']) expect(isClientRoute(path), path).toBe(true);
    for (const path of ['/api', '/api/v1/x', '/docs', '/docs/json', '/health', '/ready', '/metrics', '/media-files/a', '/assets/x.js', '/favicon.ico', '/robots.txt'])
      expect(isClientRoute(path), path).toBe(false);
  });
});
