import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

// The browser of the browser tests (test/e2e/web-browser.test.ts): Debian's Chromium, driven by
// playwright-core (whose own browser download cannot run here: no outside network but the
// package registries). Installed with apt-get by the test run's global setup when missing; where
// that cannot run (not root, no apt), the browser tests skip, saying why.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags the browser runs with: headless as root in a container (no sandbox, no GPU), and none
 * of Chromium's own background connections (updates, sync, QUIC probes), which a closed network
 * refuses many at a time. Playwright starts each browser with a fresh, empty profile directory.
 */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const run = promisify(execFile);

/** The Chromium path, installing Debian's package first when it is missing; null (with the reason logged) when it cannot be had. */
export const ensureChromium = async (): Promise<string | null> => {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.env.CHROMIUM_PATH) return reason(`CHROMIUM_PATH=${CHROMIUM_PATH} does not exist`);
  if (process.getuid?.() !== 0) return reason('not root, so apt-get cannot install it (apt-get install -y chromium)');
  console.log('[tests] installing Debian\'s chromium for the browser tests (apt-get install -y chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, maxBuffer: 64 * 1024 * 1024 }).catch(async () => {
      // The package lists may be missing on a fresh machine.
      await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
      await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, maxBuffer: 64 * 1024 * 1024 });
    });
  } catch (error) {
    return reason(`apt-get install chromium failed: ${(error as Error).message.split('\n')[0]}`);
  }
  return existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : reason('apt-get installed chromium, but not at /usr/bin/chromium');
};

const reason = (why: string): null => {
  console.log(`[tests] no Chromium for the browser tests: ${why}; they skip`);
  return null;
};
