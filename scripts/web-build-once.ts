import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// `npm start`'s first step (prestart): the web client is built when web/dist has no build yet,
// so a fresh clone serves it at / without a separate step; after that the start costs only this
// check (rebuild with `npm run build:web` after changing web/).
const index = resolve(import.meta.dirname, '../web/dist/index.html');
if (!existsSync(index)) {
  console.log('[web] no build in web/dist: building the web client (npm run build:web)');
  execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
}
