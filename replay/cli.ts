import { parseArgs, type ParseArgsConfig } from 'node:util';
import { asPosition } from '../events/index.js';
import { globalPositionOf } from '../projections/runtime/lag.js';
import { EXIT, UsageError, type ExitCode, type ReplayContext } from './context.js';
import { dropOld } from './drop-old.js';
import { encryptPersonalData } from './encrypt-personal-data.js';
import { rebuild, replayFrom, resume } from './rebuild.js';
import { status } from './status.js';
import { verify } from './verify.js';
import { listParked, retryParked } from './parked.js';
import { createReporter } from './reporter.js';

/** Events read per batch by `rebuild` and `verify` (the live projectors and `--from` read 1,000 at a time). */
export const REBUILD_BATCH_SIZE = 10_000;

// The replay CLI: `npm run replay -- <command> [options]` (or the `instagram-es-replay` bin).
// Parses the command line first, so that a usage error never touches a backend, then runs the
// command against the context app/replay-main.ts builds from the configuration.

const COMMON = `Options for every command:
  --json          one JSON object per line on stdout (progress, notes, result) instead of text
  -h, --help      this help`;

const HELP: Record<string, string> = {
  '': `Usage: npm run replay -- <command> [options]

Rebuilds read models (projections) from the event log, blue/green: a new generation is filled
beside the live one and reads switch to it once it has caught up.

Commands:
  status                      checkpoint, lag, events/s and generations of every projection
  rebuild <projection...|all> build new generations from the log and switch reads to them
  resume                      continue interrupted rebuilds
  drop-old                    remove generations that no longer serve
  verify <projection>         rebuild into a scratch generation and compare with the live one
  parked [projection]         events the projectors set aside because they could not apply them
  retry-parked <projection>   re-apply a projection's parked events, removing those that succeed
  encrypt-personal-data       seal the personal fields of events written in clear before they were sealed

Exit codes: 0 ok, 1 failure, 2 usage error, 3 verify found differences,
            4 a rebuild is already in progress, 130 interrupted (Ctrl-C; 'resume' continues)

'npm run replay -- <command> --help' describes each command.
${COMMON}`,
  status: `Usage: npm run replay -- status [--sample-ms <ms>]

Every projection: its live generation, checkpoint, lag behind the head of the log, events/s
(measured over --sample-ms, default 1000; 0 skips it), and the other generations recorded.
${COMMON}`,
  rebuild: `Usage: npm run replay -- rebuild <projection...|all> [--batch-size <n>] [--no-switch] [--from <position>]

Builds a new generation of each projection (new PostgreSQL schema, Redis key prefix,
Elasticsearch indexes) from the start of the log while the live one keeps serving, catches up
with the head, then switches reads to it atomically. Side effects (pushes, Kafka fan-out) are
not sent again. Ctrl-C stops after the current batch; 'resume' continues.
  --batch-size <n>     events read per batch (default ${REBUILD_BATCH_SIZE}; 1000 with --from)
  --no-switch          stop once caught up, before switching ('resume --switch' switches later)
  --from <position>    no new generation: re-apply the log from <position> into the live one
  --handover-ms <ms>   keep the new generation caught up this long after the switch, while the
                       other processes move over (default 3000)
${COMMON}`,
  resume: `Usage: npm run replay -- resume [--batch-size <n>] [--switch] [--handover-ms <ms>]

Continues every interrupted rebuild from its checkpoint, then switches those that were to be
switched (all of them with --switch).
${COMMON}`,
  'drop-old': `Usage: npm run replay -- drop-old [--grace <seconds>] [--abandon]

Removes the storage of generations that no longer serve: retired ones (switched away from at
least --grace seconds ago, default 10, so that no process still reads them) and scratch ones.
  --abandon   also give up rebuilds in progress
${COMMON}`,
  verify: `Usage: npm run replay -- verify <projection> [--batch-size <n>] [--rounds <n>] [--show <n>] [--keep]

Rebuilds the projection into a scratch generation up to the live one's checkpoint and reports
every entry that differs. Exit code 3 when there are differences.
  --rounds <n>   comparisons while the live generation moves on (default 3)
  --show <n>     differences printed (default 20; all are counted)
  --keep         keep the scratch generation (drop-old removes it)
${COMMON}`,
  parked: `Usage: npm run replay -- parked [projection]

The events the projectors parked (set aside after bounded retries, so as to go on past them),
with the error and the attempts, in log order; of every projection, or of the one named.
${COMMON}`,
  'retry-parked': `Usage: npm run replay -- retry-parked <projection>

Re-applies the projection's parked events through its live generation (once the cause is fixed),
and removes those that now succeed. Exit code 1 when some still fail.
${COMMON}`,
  'encrypt-personal-data': `Usage: npm run replay -- encrypt-personal-data [--batch-size <n>]

Seals the personal fields (events/personal-data/personal-fields.ts) of the events appended in
clear before the store sealed them, under each person's data key, in place and in log order, then
deletes the snapshots that are not sealed. Idempotent: sealed events are skipped, so Ctrl-C stops
after the current batch and running it again continues. Read models need no rebuild.
  --batch-size <n>     events rewritten per batch (default 1000)
${COMMON}`,
};

const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  status: { 'sample-ms': { type: 'string' } },
  rebuild: { 'batch-size': { type: 'string' }, 'no-switch': { type: 'boolean' }, from: { type: 'string' }, 'handover-ms': { type: 'string' } },
  resume: { 'batch-size': { type: 'string' }, switch: { type: 'boolean' }, 'handover-ms': { type: 'string' } },
  'drop-old': { grace: { type: 'string' }, abandon: { type: 'boolean' } },
  verify: { 'batch-size': { type: 'string' }, rounds: { type: 'string' }, show: { type: 'string' }, keep: { type: 'boolean' } },
  parked: {},
  'retry-parked': {},
  'encrypt-personal-data': { 'batch-size': { type: 'string' } },
};

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bar) or not (progress lines). */
  tty: boolean;
  signal: AbortSignal;
  /** Connects to the configured backends; called only for a well-formed command line. */
  connect(): Promise<Omit<ReplayContext, 'reporter' | 'signal'> & { close(): Promise<void> }>;
}

const integer = (value: unknown, name: string, fallback: number, min = 1): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return parsed;
};

export const runReplayCli = async (argv: readonly string[], io: CliIo): Promise<ExitCode> => {
  const [command = '', ...rest] = argv;
  const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');
  if (command === '' || command === 'help' || ((command === '--help' || command === '-h') && rest.length === 0)) {
    io.stdout(`${HELP['']}\n`);
    return command === '' ? EXIT.usage : EXIT.ok;
  }
  const options = OPTIONS[command];
  if (!options) {
    io.stderr(`unknown command ${JSON.stringify(command)}\n\n${HELP['']}\n`);
    return EXIT.usage;
  }
  if (wantsHelp(rest)) {
    io.stdout(`${HELP[command]}\n`);
    return EXIT.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${HELP[command]}\n`);
    return EXIT.usage;
  }
  const reporter = createReporter({ json: parsed.values.json === true, tty: io.tty, stdout: io.stdout, stderr: io.stderr });
  let connection: Awaited<ReturnType<CliIo['connect']>> | undefined;
  try {
    const run = plan(command, parsed.positionals, parsed.values);
    connection = await io.connect();
    const known = connection.catalog.definitions.map((d) => d.name);
    const context: ReplayContext = { ...connection, reporter, signal: io.signal };
    return await run(context, known);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n\n${HELP[command]}\n`);
      return EXIT.usage;
    }
    reporter.result(`failed: ${(error as Error).message}`, { ok: false, error: (error as Error).message });
    return EXIT.failed;
  } finally {
    await connection?.close();
  }
};

type Values = ReturnType<typeof parseArgs>['values'];
type Run = (context: ReplayContext, known: readonly string[]) => Promise<ExitCode>;

/** Checks the command line and returns what to run; unknown projections are checked once connected. */
const plan = (command: string, positionals: readonly string[], values: Values): Run => {
  const projections = (known: readonly string[]) => {
    const names = positionals.includes('all') ? [...known] : [...new Set(positionals)];
    const unknown = names.filter((name) => !known.includes(name));
    if (names.length === 0) throw new UsageError('name at least one projection, or all');
    if (unknown.length > 0) throw new UsageError(`unknown projection(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return names;
  };
  const noPositionals = () => {
    if (positionals.length > 0) throw new UsageError(`unexpected argument(s) ${positionals.join(' ')}`);
  };
  const batchSize = integer(values['batch-size'], 'batch-size', 1_000);
  // A generation built from the start takes larger batches: each batch's fold collapses more
  // events into one row write, and the per-statement costs are paid ten times less often; the
  // pass holds at most a few batches (catch-up.ts), tens of MB at this size.
  const buildBatchSize = integer(values['batch-size'], 'batch-size', REBUILD_BATCH_SIZE);
  const handoverMs = integer(values['handover-ms'], 'handover-ms', 3_000, 0);
  switch (command) {
    case 'status': {
      noPositionals();
      const sampleMs = integer(values['sample-ms'], 'sample-ms', 1_000, 0);
      return (context) => status(context, sampleMs);
    }
    case 'rebuild': {
      const from = values.from as string | undefined;
      if (from !== undefined && globalPositionOf(asPosition(from)) === undefined) {
        throw new UsageError(`--from must be a position as commands return it (e.g. 000000000000a1b2:0000000000000c3d), got ${JSON.stringify(from)}`);
      }
      if (from !== undefined && values['no-switch']) throw new UsageError('--from replays into the live generation: --no-switch does not apply');
      return (context, known) =>
        from !== undefined
          ? replayFrom(context, projections(known), asPosition(from), batchSize)
          : rebuild(context, projections(known), { batchSize: buildBatchSize, switch: values['no-switch'] !== true, handoverMs });
    }
    case 'resume':
      noPositionals();
      return (context) =>
        resume(context, { ...(values['batch-size'] ? { batchSize } : {}), ...(values.switch ? { switch: true } : {}), handoverMs });
    case 'drop-old': {
      noPositionals();
      const graceMs = integer(values.grace, 'grace', 10, 0) * 1000;
      return (context) => dropOld(context, { graceMs, abandon: values.abandon === true });
    }
    case 'parked':
      if (positionals.length > 1) throw new UsageError('parked takes at most one projection');
      // The fan-out workers park under their own name, which is not a read model's.
      return (context) => listParked(context, positionals[0]);
    case 'encrypt-personal-data':
      noPositionals();
      return (context) => encryptPersonalData(context, batchSize);
    case 'retry-parked':
      if (positionals.length !== 1) throw new UsageError('retry-parked takes exactly one projection');
      return (context, known) => retryParked(context, projections(known)[0]!);
    default: {
      if (positionals.length !== 1) throw new UsageError('verify takes exactly one projection');
      const verifyOptions = { batchSize: buildBatchSize, rounds: integer(values.rounds, 'rounds', 3), show: integer(values.show, 'show', 20, 0), keep: values.keep === true };
      return (context, known) => verify(context, projections(known)[0]!, verifyOptions);
    }
  }
};
