import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ROLES } from './roles.js';

// Twelve-factor configuration (docs/architecture.md "Processes"): every setting comes from the environment, is
// validated at start-up, and a bad one stops the process with a message naming the variable.
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 24h, 30s or 500ms` });
  return ms ?? 0;
});

const postgresUrl = z
  .string()
  .refine((url) => /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// or postgresql:// URL');

const schema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: z
    .string()
    .refine((url) => /^rediss?:\/\//.test(url), 'must be a redis:// or rediss:// URL')
    .optional(),
  ELASTICSEARCH_URL: z
    .string()
    .refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL')
    .optional(),
  FEED_CELEBRITY_THRESHOLD: z.coerce.number().int().min(1).default(10_000),
  /** Followers per fan-out chunk: one Kafka message (36-byte ids, so 10,000 stay well under 1 MB). */
  FANOUT_CHUNK_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Comma-separated host:port list; set, and feed fan-out goes through Kafka to the workers. */
  KAFKA_BROKERS: z
    .string()
    .transform((list) => list.split(',').map((broker) => broker.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'list at least one host:port'))
    .optional(),
  KAFKA_FANOUT_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'letters, digits, ".", "_" and "-" (at most 249)').default('feed-fanout'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(8),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(100).default(1),
  KAFKA_SESSION_TIMEOUT: z.string().default('30s').pipe(duration),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STORY_TTL: z.string().default('24h').pipe(duration),
  /** Notifications of one kind on one post (or comment) within this window, by the events' own times, form one group. */
  NOTIFICATION_GROUP_WINDOW: z.string().default('24h').pipe(duration),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLE: z.enum(ROLES).default('all'),
  /** Comma-separated projection names for the projector role; empty means all. */
  PROJECTIONS: z
    .string()
    .transform((list) => list.split(',').map((name) => name.trim()).filter(Boolean))
    .optional(),
}).refine((config) => config.ROLE === 'all' || config.DATABASE_URL, {
  path: ['DATABASE_URL'],
  message: 'separate roles share their servers: set DATABASE_URL (the embedded PostgreSQL serves role "all" only)',
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The environment, with `--role=x` / `--role x` on the command line taking precedence over ROLE. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): Config => {
  // An empty variable means unset, as it does in most shells' `VAR= cmd`.
  const present: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const flag = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (flag >= 0) present.ROLE = argv[flag]!.includes('=') ? argv[flag]!.split('=')[1] : argv[flag + 1];
  const result = schema.safeParse(present);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return result.data;
};
