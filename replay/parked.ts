import { createParkingLot, retryParked as retryThrough } from '../projections/runtime/parked-events.js';
import { FIRST_GENERATION, liveGenerations } from '../projections/runtime/generations.js';
import { EXIT, type ExitCode, type ReplayContext } from './context.js';
import { formatTable } from './table.js';

// `parked [projection]` lists the events projectors set aside (docs/architecture.md "Parked
// events"); `retry-parked <projection>` re-applies them through the live generation, removing
// those that now succeed (exit 1 when some still fail).

export const listParked = async (context: ReplayContext, projection: string | undefined): Promise<ExitCode> => {
  const parked = await createParkingLot(context.pool).list(projection);
  const table = formatTable(
    [{ header: 'projection' }, { header: 'position' }, { header: 'event' }, { header: 'type' }, { header: 'attempts', align: 'right' }, { header: 'parked at' }, { header: 'error' }],
    parked.map((p) => [p.projection, p.position, p.eventId, p.type, String(p.attempts), p.parkedAt, p.error.slice(0, 120)]),
  );
  const rows = parked.map(({ event: _event, ...rest }) => rest);
  context.reporter.result(parked.length === 0 ? 'no parked events' : table.join('\n'), { ok: true, parked: rows });
  return EXIT.ok;
};

export const retryParked = async (context: ReplayContext, projection: string): Promise<ExitCode> => {
  const generation = (await liveGenerations(context.pool)).get(projection) ?? FIRST_GENERATION;
  const opened = await context.catalog.open(projection, generation, 'live');
  const { retried, stillFailing } = await retryThrough(createParkingLot(context.pool), opened.projection);
  const lines = [`${projection}: ${retried.length} re-applied, ${stillFailing.length} still failing`, ...stillFailing.map((f) => `  ${f.eventId}: ${f.error}`)];
  context.reporter.result(lines.join('\n'), { ok: stillFailing.length === 0, projection, retried, stillFailing });
  return stillFailing.length === 0 ? EXIT.ok : EXIT.failed;
};
