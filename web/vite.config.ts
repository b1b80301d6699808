import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The web client's build (docs/architecture.md "Web client"): web/ → web/dist, hashed files under
// /assets/ (served immutable by app/http/web-client.ts). Preact's automatic JSX runtime through
// Vite's own transformer (oxc), so no framework plugin (and its Babel) is needed. `npm run
// web:dev` proxies /api to a local `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: true,
    // Reported, not failed on: the budget is checked by the browser test's report.
    reportCompressedSize: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/media-files': 'http://127.0.0.1:3000' } },
});
