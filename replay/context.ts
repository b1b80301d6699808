import type pg from 'pg';
import type { EventStore } from '../events/index.js';
import type { PersonalDataKeyStore } from '../events/personal-data/index.js';
import type { GenerationCatalog } from '../projections/runtime/generation-catalog.js';
import type { Reporter } from './reporter.js';

/** What every replay command works with; app/replay-main.ts builds it from the configuration. */
export interface ReplayContext {
  store: EventStore;
  /** The platform's pool (base schema): the generations registry lives here. */
  pool: pg.Pool;
  catalog: GenerationCatalog;
  /** The platform's personal data keys: what encrypt-personal-data seals with. */
  personalDataKeys?: PersonalDataKeyStore;
  reporter: Reporter;
  /** Aborted by Ctrl-C: long commands finish the batch in hand and stop resumably. */
  signal: AbortSignal;
}

/** The process exit codes of the replay CLI (also in the README). */
export const EXIT = {
  ok: 0,
  /** A backend failed or an unexpected error: the message says which. */
  failed: 1,
  /** Bad command line: unknown command, projection or option. */
  usage: 2,
  /** `verify` found differences between the live generation and a fresh rebuild. */
  differences: 3,
  /** `rebuild` of a projection whose previous rebuild is unfinished: resume or drop it. */
  conflict: 4,
  /** Stopped by Ctrl-C (SIGINT): `resume` continues where it stopped. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
