/* global console, process */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// `npm start`'s first step (prestart): the web client is built when web/dist has no build yet,
// so a fresh clone serves it at / without a separate step; after that the start costs only this
// check (rebuild with `npm run build:web` after changing web/). Plain JavaScript: node starts it in
// tens of milliseconds, where tsx would add most of a second to every start. A WEB_ROOT set
// elsewhere is someone else's build: left alone.
const own = resolve(import.meta.dirname, '../web/dist');
const root = process.env.WEB_ROOT ? resolve(process.env.WEB_ROOT) : own;
if (root === own && !existsSync(resolve(own, 'index.html'))) {
  console.log('[web] no build in web/dist: building the web client (npm run build:web)');
  execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
}
