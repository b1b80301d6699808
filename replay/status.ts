import { lagBetween } from '../projections/runtime/lag.js';
import { FIRST_GENERATION, listGenerations } from '../projections/runtime/generations.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';
import { formatTable } from './table.js';

// `status`: per projection, the live generation with its checkpoint, lag and rate (two readings
// `sampleMs` apart), and every other generation recorded (being built, retired, scratch).

interface GenerationStatus {
  generation: number;
  state: string;
  checkpoint: string;
  lag: number;
}

export const status = async (context: ReplayContext, sampleMs: number): Promise<ExitCode> => {
  const recorded = await listGenerations(context.pool);
  const checkpointOf = async (name: string, generation: number) => {
    const opened = await context.catalog.open(name, generation, 'rebuild');
    return opened.projection.checkpoint(name);
  };
  const liveOf = (name: string) => recorded.find((g) => g.projection === name && g.state === 'live')?.generation ?? FIRST_GENERATION;
  const names = context.catalog.definitions.map((d) => d.name);
  const first = await Promise.all(names.map((name) => checkpointOf(name, liveOf(name))));
  if (sampleMs > 0) await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const head = await context.store.headPosition();
  const rows = await Promise.all(
    context.catalog.definitions.map(async ({ name, backend }, i) => {
      const live = liveOf(name);
      const checkpoint = await checkpointOf(name, live);
      const eventsPerSecond = sampleMs > 0 ? Math.round((lagBetween(first[i]!, checkpoint) * 1000) / sampleMs) : null;
      const others: GenerationStatus[] = [];
      for (const g of recorded.filter((r) => r.projection === name && r.generation !== live)) {
        const position = g.state === 'building' || g.state === 'scratch' ? await checkpointOf(name, g.generation) : '';
        others.push({ generation: g.generation, state: g.state, checkpoint: position, lag: position ? lagBetween(position, head) : 0 });
      }
      return { projection: name, backend, live, checkpoint, lag: lagBetween(checkpoint, head), eventsPerSecond, others };
    }),
  );
  const table = formatTable(
    [
      { header: 'projection' },
      { header: 'backend' },
      { header: 'live' },
      { header: 'lag', align: 'right' },
      { header: 'events/s', align: 'right' },
      { header: 'checkpoint / other generations' },
    ],
    rows.flatMap((row) => [
      [row.projection, row.backend, `g${row.live}`, String(row.lag), String(row.eventsPerSecond ?? '-'), row.checkpoint || '(start)'],
      // The other generations, one line each, under the checkpoint column.
      ...row.others.map((g) => ['', '', '', '', '', `g${g.generation} ${g.state}${g.state === 'building' || g.state === 'scratch' ? `, lag ${g.lag}` : ''}`]),
    ]),
  );
  const lines = [`head ${head || '(empty log)'}`, ...table];
  context.reporter.result(lines.join('\n'), { ok: true, head, projections: rows });
  return EXIT.ok;
};
