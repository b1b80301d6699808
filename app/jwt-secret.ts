import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The secret kept in `dataDir/fileName`, generated the first time, so that a single-machine
 * install keeps its tokens and signed URLs valid across restarts without anyone choosing a secret.
 */
export const generatedSecret = async (dataDir: string, fileName: string): Promise<string> => {
  const file = join(dataDir, fileName);
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing?.trim()) return existing.trim();
  const secret = randomBytes(48).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
  // Another process may have won the race to write it: whatever is on disk is the secret.
  return (await readFile(file, 'utf8')).trim();
};

/** JWT_SECRET when set; otherwise a secret generated once and kept under the data directory. */
export const resolveJwtSecret = async (configured: string | undefined, dataDir: string): Promise<string> => configured || generatedSecret(dataDir, 'jwt-secret');
