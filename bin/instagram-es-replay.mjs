#!/usr/bin/env node
// The replay CLI as a package bin: runs the TypeScript entrypoint through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../app/replay-main.ts');
