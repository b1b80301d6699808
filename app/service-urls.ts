import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm run services:up` writes the URLs of the servers it found or started to .services/urls.env
// (KEY=VALUE lines). `npm start` and the tests read it, and a variable set in the environment
// always wins over the file, so the file only fills in what was left unset.
export const SERVICE_URL_KEYS = ['DATABASE_URL', 'REDIS_URL', 'ELASTICSEARCH_URL', 'KAFKA_BROKERS'] as const;
export type ServiceUrls = Partial<Record<(typeof SERVICE_URL_KEYS)[number], string>>;

export const serviceUrlsFile = (root: string) => join(root, '.services', 'urls.env');

export const parseServiceUrls = (text: string): ServiceUrls => {
  const urls: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z_]+)=(.*)$/.exec(line);
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

/** The environment, with the file's URLs filling in the service variables it leaves unset (or empty). */
export const withServiceUrls = (env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv => {
  const fromFile = Object.entries(readServiceUrls(root)).filter(([key]) => !env[key]);
  return { ...env, ...Object.fromEntries(fromFile) };
};
