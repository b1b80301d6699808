import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './config.js';

/** The shortest signing secret accepted from any source (JWT_SECRET or a file under DATA_DIR), in bytes. */
export const MIN_SECRET_BYTES = 32;

/** The secret, or a ConfigError naming where it came from when it is shorter than MIN_SECRET_BYTES. */
export const checkedSecret = (secret: string, source: string): string => {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) throw new ConfigError([`${source}: the secret is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES}`]);
  return secret;
};

const readIfPresent = (file: string): Promise<string | null> =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });

/**
 * The secret kept in `dataDir/fileName`, generated the first time, so that a single-machine
 * install keeps its tokens and signed URLs valid across restarts without anyone choosing a secret.
 * The file is written whole to a temporary file and then hard-linked into place: link fails if the
 * name exists (O_EXCL), so the file is never seen half-written and two processes starting together
 * agree on one secret (the loser reads the winner's). A file that is there but too short (empty
 * included) is refused, never replaced: tokens signed with it would otherwise be forgeable.
 */
export const generatedSecret = async (dataDir: string, fileName: string): Promise<string> => {
  const file = join(dataDir, fileName);
  let content = await readIfPresent(file);
  if (content === null) {
    await mkdir(dataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error; // another process linked its secret first: that one is the secret
      });
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    content = await readFile(file, 'utf8');
  }
  return checkedSecret(content.trim(), file);
};

/** JWT_SECRET when set; otherwise a secret generated once and kept under the data directory. */
export const resolveJwtSecret = async (configured: string | undefined, dataDir: string): Promise<string> =>
  configured === undefined ? generatedSecret(dataDir, 'jwt-secret') : checkedSecret(configured, 'JWT_SECRET');

/**
 * The signing keys, newest first: JWT_SECRETS when set (each checked, naming its place in the
 * list), else the one key of resolveJwtSecret. A key's id is derived from the key
 * (commands/accounts/tokens.ts keyIdOf), so the single-key sources need none.
 */
export const resolveJwtSecrets = async (configured: { jwtSecrets: readonly string[] | undefined; jwtSecret: string | undefined }, dataDir: string): Promise<string[]> =>
  configured.jwtSecrets?.length
    ? configured.jwtSecrets.map((secret, index) => checkedSecret(secret, `JWT_SECRETS (key ${index + 1})`))
    : [await resolveJwtSecret(configured.jwtSecret, dataDir)];
