import { forgetGeneration, listGenerations, type GenerationState } from '../projections/runtime/generations.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';

// `drop-old`: removes the generations that no longer serve: retired ones (once `graceMs` has
// passed since the switch, so that no process still reads them), the scratch ones verify left
// after an interruption, and with --abandon the rebuilds in progress.

export const dropOld = async (context: ReplayContext, options: { graceMs: number; abandon: boolean }): Promise<ExitCode> => {
  const droppable: GenerationState[] = options.abandon ? ['retired', 'scratch', 'building'] : ['retired', 'scratch'];
  const dropped: { projection: string; generation: number; state: string }[] = [];
  const kept: { projection: string; generation: number; reason: string }[] = [];
  for (const g of await listGenerations(context.pool)) {
    if (!droppable.includes(g.state)) continue;
    const age = g.switchedAt ? Date.now() - g.switchedAt.getTime() : Infinity;
    if (g.state === 'retired' && age < options.graceMs) {
      kept.push({ projection: g.projection, generation: g.generation, reason: `retired ${Math.round(age / 1000)} s ago` });
      continue;
    }
    await context.catalog.drop(g.projection, g.generation);
    await forgetGeneration(context.pool, g.projection, g.generation);
    dropped.push({ projection: g.projection, generation: g.generation, state: g.state });
    context.reporter.note(`dropped ${g.projection} generation ${g.generation} (${g.state})`);
  }
  const text = [
    dropped.length === 0 ? 'nothing to drop' : `dropped ${dropped.length} generation(s)`,
    ...kept.map((k) => `kept ${k.projection} generation ${k.generation}: ${k.reason} (--grace)`),
  ].join('\n');
  context.reporter.result(text, { ok: true, dropped, kept });
  return EXIT.ok;
};
