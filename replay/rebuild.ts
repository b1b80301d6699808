import type { Position } from '../events/index.js';
import type { CatchUpTarget } from '../projections/runtime/catch-up.js';
import { addGeneration, listGenerations, switchLive } from '../projections/runtime/generations.js';
import type { OpenReadModel } from '../projections/runtime/read-model.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';
import { liveGenerationOf } from './live-generation.js';
import { runCatchUp } from './run-catch-up.js';

// `rebuild` and `resume`: fill a new generation of each projection from the start of the log,
// beside the live one, in one pass over the log for all of them; when caught up with the head,
// switch reads to it (unless --no-switch) and keep it caught up for a moment, while the API and
// projector processes notice the switch (they look every second). Interrupted (Ctrl-C, a failure),
// the generation stays 'building' with its checkpoint, and `resume` continues from there.

export interface BuildSettings {
  batchSize: number;
  /** Switch reads to the new generation once caught up. */
  switch: boolean;
  /** How long to keep a switched generation caught up while the other processes move over. */
  handoverMs: number;
}

interface Build {
  name: string;
  generation: number;
  switch: boolean;
}

export const rebuild = async (context: ReplayContext, names: readonly string[], settings: BuildSettings): Promise<ExitCode> => {
  const building = (await listGenerations(context.pool)).filter((g) => g.state === 'building' && names.includes(g.projection));
  if (building.length > 0) {
    const which = building.map((g) => `${g.projection} (generation ${g.generation})`).join(', ');
    context.reporter.result(`a rebuild is already in progress for ${which}: run 'resume', or 'drop-old --abandon' to give it up`, {
      ok: false,
      conflict: building.map((g) => ({ projection: g.projection, generation: g.generation })),
    });
    return EXIT.conflict;
  }
  const builds: Build[] = [];
  for (const name of names) {
    const generation = await addGeneration(context.pool, name, 'building', { batchSize: settings.batchSize, switch: settings.switch });
    builds.push({ name, generation, switch: settings.switch });
  }
  return build(context, builds, settings);
};

export const resume = async (context: ReplayContext, overrides: { batchSize?: number; switch?: boolean; handoverMs: number }): Promise<ExitCode> => {
  const building = (await listGenerations(context.pool)).filter((g) => g.state === 'building');
  if (building.length === 0) {
    context.reporter.result('nothing to resume: no rebuild in progress', { ok: true, resumed: [] });
    return EXIT.ok;
  }
  const builds = building.map((g) => ({ name: g.projection, generation: g.generation, switch: overrides.switch ?? g.settings.switch }));
  const batchSize = overrides.batchSize ?? Math.max(...building.map((g) => g.settings.batchSize ?? 1_000));
  return build(context, builds, { batchSize, switch: false, handoverMs: overrides.handoverMs });
};

const build = async (context: ReplayContext, builds: readonly Build[], settings: BuildSettings): Promise<ExitCode> => {
  const { reporter, catalog } = context;
  const targets: (CatchUpTarget & { readModel: OpenReadModel<unknown> })[] = [];
  for (const { name, generation } of builds) {
    const opened = await catalog.open(name, generation, 'build');
    await opened.projection.setup();
    targets.push({ projection: opened.projection, checkpointKey: name, readModel: opened });
  }
  const label = builds.map((b) => `${b.name}@g${b.generation}`).join(', ');
  const started = performance.now();
  const pass = await runCatchUp(context, `rebuild ${label}`, targets, { batchSize: settings.batchSize, replay: true });
  // To its serving shape (indexes built after the load, tables logged) before anything reads it.
  if (!pass.interrupted) await finishBuilds(context, targets);
  const seconds = (performance.now() - started) / 1000;
  const summary = { generations: builds.map(({ name, generation }) => ({ projection: name, generation })), events: pass.events, seconds, position: pass.position };
  if (pass.interrupted) {
    reporter.result(`interrupted at ${pass.position} after ${pass.events} events: run 'resume' to continue`, { ok: false, interrupted: true, ...summary });
    return EXIT.interrupted;
  }
  const switching = builds.filter((b) => b.switch);
  for (const { name, generation } of switching) {
    await switchLive(context.pool, name, generation);
    reporter.note(`${name}: generation ${generation} is live`, { projection: name, generation, switched: true });
  }
  if (switching.length > 0) await handover(context, targets, settings);
  const rate = Math.round(pass.events / Math.max(seconds, 1e-3));
  const waiting = builds.filter((b) => !b.switch).map((b) => `${b.name}@g${b.generation}`);
  reporter.result(
    [
      `rebuilt ${label}: ${pass.events} events in ${seconds.toFixed(1)} s (${rate} events/s)`,
      ...(waiting.length > 0 ? [`not switched (--no-switch): ${waiting.join(', ')}; 'resume --switch' switches them`] : []),
    ].join('\n'),
    { ok: true, ...summary, eventsPerSecond: rate, switched: switching.map((b) => b.name) },
  );
  return EXIT.ok;
};

const finishBuilds = async (context: ReplayContext, targets: readonly { readModel: OpenReadModel<unknown> }[]) => {
  if (!targets.some((target) => target.readModel.finishBuild)) return;
  context.reporter.note('building indexes and making tables logged', { finishing: true });
  await Promise.all(targets.map((target) => target.readModel.finishBuild?.()));
};

/** Keeps the switched generations caught up while the other processes notice the switch. */
const handover = async (context: ReplayContext, targets: readonly CatchUpTarget[], settings: BuildSettings) => {
  const until = performance.now() + settings.handoverMs;
  while (performance.now() < until && !context.signal.aborted) {
    await runCatchUp(context, 'handover', targets, { batchSize: settings.batchSize, replay: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** `rebuild --from <position>`: re-applies the log from a position into the live generations. */
export const replayFrom = async (context: ReplayContext, names: readonly string[], from: Position, batchSize: number): Promise<ExitCode> => {
  const targets: CatchUpTarget[] = [];
  for (const name of names) {
    // Mode 'rebuild': the live storage, but no side effects (in-process fan-out, no pushes).
    const opened = await context.catalog.open(name, await liveGenerationOf(context.pool, name), 'rebuild');
    targets.push({ projection: opened.projection, checkpointKey: name });
  }
  const pass = await runCatchUp(context, `replay ${names.join(', ')} from ${from}`, targets, { batchSize, replay: true, from });
  const summary = { projections: names, from, position: pass.position, events: pass.events };
  if (pass.interrupted) {
    context.reporter.result(`interrupted at ${pass.position}: run the same command with --from ${pass.position} to continue`, { ok: false, interrupted: true, ...summary });
    return EXIT.interrupted;
  }
  context.reporter.result(`re-applied ${pass.events} events from ${from} to ${names.join(', ')}`, { ok: true, ...summary });
  return EXIT.ok;
};
