#!/usr/bin/env node
// The replay CLI as a package bin: runs the TypeScript entrypoint through tsx's loader, so that it
// always runs the code as it stands (no build step to forget). The compiled program of a build is
// `npm run replay:prod` (node dist/app/replay-main.js).
import { register } from 'tsx/esm/api';

register();
await import('../app/replay-main.ts');
