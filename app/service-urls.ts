import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm run services:up` writes the URLs of the servers it found or started to .services/urls.env
// (KEY=VALUE lines). `npm start` and the tests read it, and a variable set in the environment
// always wins over the file, so the file only fills in what was left unset.
export const SERVICE_URL_KEYS = [
  'DATABASE_URL',
  'REDIS_URL',
  'ELASTICSEARCH_URL',
  'KAFKA_BROKERS',
  // The S3-compatible store (S3Proxy): with these, `npm start` keeps media in it rather than under DATA_DIR/media.
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  // A primary and its streaming replica for the read-replica tests (SERVICES=postgres-replica);
  // the platform reads neither (DATABASE_READ_URL is set by hand, next to the DATABASE_URL it follows).
  'POSTGRES_REPLICA_PRIMARY_URL',
  'POSTGRES_REPLICA_URL',
] as const;
/** The keys that together name the S3 store: services:down removes them together. */
export const S3_SERVICE_KEYS = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'] as const;
export type ServiceUrls = Partial<Record<(typeof SERVICE_URL_KEYS)[number], string>>;

export const serviceUrlsFile = (root: string) => join(root, '.services', 'urls.env');

export const parseServiceUrls = (text: string): ServiceUrls => {
  const urls: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match && (SERVICE_URL_KEYS as readonly string[]).includes(match[1]!)) urls[match[1]!] = match[2]!.trim();
  }
  return urls;
};

export const formatServiceUrls = (urls: ServiceUrls): string =>
  `# Written by npm run services:up; environment variables win over these.\n${Object.entries(urls)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;

/** The URLs in `file` ({} when there is none). */
export const readServiceUrlsFile = (file: string): ServiceUrls => {
  try {
    return parseServiceUrls(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
};

/** The URLs of `root`/.services/urls.env. */
export const readServiceUrls = (root: string): ServiceUrls => readServiceUrlsFile(serviceUrlsFile(root));

/**
 * The environment, with the file's URLs filling in the service variables it leaves unset (or
 * empty); the S3 variables only when the environment sets none of them.
 */
export const withServiceUrls = (env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv => {
  // The S3 keys go together: a bucket of one's own in the environment gets no S3Proxy endpoint or credentials from the file.
  const ownS3 = S3_SERVICE_KEYS.some((key) => env[key]);
  const fromFile = Object.entries(readServiceUrls(root)).filter(([key]) => !env[key] && !(ownS3 && (S3_SERVICE_KEYS as readonly string[]).includes(key)));
  return { ...env, ...Object.fromEntries(fromFile) };
};
