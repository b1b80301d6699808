import { sealStoredPersonalData } from '../events/personal-data/index.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';

// `encrypt-personal-data`: seals the personal fields of the events appended in clear before the
// store sealed them (events/personal-data/seal-stored-postgres.ts). Batched, idempotent, and
// resumable: Ctrl-C stops after the batch in hand, and running it again continues (rows already
// sealed are skipped). Read models need no rebuild: the events read the same afterwards.

export const encryptPersonalData = async (context: ReplayContext, batchSize: number): Promise<ExitCode> => {
  if (!context.personalDataKeys) throw new Error('this replay context has no personal data keys');
  const started = performance.now();
  const outcome = await sealStoredPersonalData(context.pool, context.personalDataKeys, {
    batchSize,
    signal: context.signal,
    onBatch: ({ scanned }) =>
      context.reporter.progress({ task: 'encrypt personal data', events: scanned, total: 0, eventsPerSecond: scanned / Math.max(0.001, (performance.now() - started) / 1000) }),
  });
  context.reporter.done();
  const { scanned, sealed, snapshotsDeleted, interrupted } = outcome;
  if (interrupted) {
    context.reporter.result(`interrupted after sealing ${sealed} event(s); run encrypt-personal-data again to continue`, { ok: false, interrupted, scanned, sealed });
    return EXIT.interrupted;
  }
  context.reporter.result(`sealed the personal fields of ${sealed} event(s) written in clear (${scanned} scanned); ${snapshotsDeleted} clear snapshot(s) deleted`, {
    ok: true,
    scanned,
    sealed,
    snapshotsDeleted,
  });
  return EXIT.ok;
};
