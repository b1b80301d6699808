import { addGeneration, forgetGeneration } from '../projections/runtime/generations.js';
import { compareDumps, type Difference } from './compare-dumps.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';
import { liveGenerationOf } from './live-generation.js';
import { runCatchUp } from './run-catch-up.js';

// `verify <projection>`: rebuilds it from the log into a scratch generation up to the live
// generation's checkpoint and compares the two entry by entry. While events keep arriving the
// live one moves on, so a difference is only reported if it survives the scratch generation
// catching up to the live checkpoint again (up to `rounds` comparisons).

export interface VerifyOptions {
  batchSize: number;
  rounds: number;
  /** How many differences to print (all are counted). */
  show: number;
  /** Keep the scratch generation for inspection (drop-old removes it later). */
  keep: boolean;
}

export const verify = async (context: ReplayContext, name: string, options: VerifyOptions): Promise<ExitCode> => {
  const { catalog, pool, reporter } = context;
  const liveGeneration = await liveGenerationOf(pool, name);
  const live = await catalog.open(name, liveGeneration, 'rebuild');
  const generation = await addGeneration(pool, name, 'scratch', { batchSize: options.batchSize, switch: false });
  const scratch = await catalog.open(name, generation, 'build');
  await scratch.projection.setup();
  const target = [{ projection: scratch.projection, checkpointKey: name, readModel: scratch }];
  let differences: Difference[] = [];
  let position = '';
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const until = await live.projection.checkpoint(name);
      const pass = await runCatchUp(context, `verify ${name} (round ${round})`, target, { batchSize: options.batchSize, replay: true, until });
      if (pass.interrupted) {
        reporter.result(`interrupted: the scratch generation ${generation} is left for 'drop-old'`, { ok: false, interrupted: true });
        return EXIT.interrupted;
      }
      // Compared in its serving shape, as a rebuild would switch to it (idempotent in later rounds).
      await scratch.finishBuild?.();
      const [liveDump, scratchDump] = await Promise.all([live.dump(), scratch.dump()]);
      differences = compareDumps(liveDump, scratchDump);
      position = until;
      // The same checkpoint after the dumps: the live generation did not move while we compared.
      if (differences.length === 0 || (await live.projection.checkpoint(name)) === until) break;
    }
  } finally {
    if (!options.keep) {
      await catalog.drop(name, generation);
      await forgetGeneration(pool, name, generation);
    }
  }
  const shown = differences.slice(0, options.show);
  const text =
    differences.length === 0
      ? `${name}: generation ${liveGeneration} matches a rebuild from the log (up to ${position || 'the start'})`
      : [
          `${name}: ${differences.length} difference(s) between generation ${liveGeneration} and a rebuild from the log (up to ${position}):`,
          ...shown.map((d) => `  ${d.key}\n    live:    ${d.live ?? '(missing)'}\n    rebuilt: ${d.rebuilt ?? '(missing)'}`),
          ...(differences.length > shown.length ? [`  ... and ${differences.length - shown.length} more`] : []),
        ].join('\n');
  reporter.result(text, { ok: differences.length === 0, projection: name, generation: liveGeneration, position, differences: differences.length, shown });
  return differences.length === 0 ? EXIT.ok : EXIT.differences;
};
