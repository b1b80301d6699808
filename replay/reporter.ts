// How the replay CLI talks: a progress bar with events/s and ETA on a terminal, plain progress
// lines otherwise, or one JSON object per line (--json) for machines. Progress and notes go to
// stderr (stdout carries only results), except in JSON mode where everything is on stdout.

export interface Progress {
  /** What is being done, e.g. "rebuild profiles, feed". */
  task: string;
  events: number;
  /** Events expected in all (approximate: see projections/runtime/lag.ts); 0 when unknown. */
  total: number;
  eventsPerSecond: number;
}

export interface Reporter {
  progress(progress: Progress): void;
  note(message: string, data?: Record<string, unknown>): void;
  /** The command's outcome: printed as `text` for people, as `data` in JSON mode. */
  result(text: string, data: Record<string, unknown>): void;
  /** Ends a progress bar line, if one is drawn. */
  done(): void;
}

export interface ReporterOptions {
  json: boolean;
  tty: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Plain progress lines at most this often (default 2 s). */
  lineIntervalMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 28;

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

const describe = ({ events, total, eventsPerSecond }: Progress) => {
  const rate = `${Math.round(eventsPerSecond).toLocaleString('en-US')} ev/s`;
  const eta = total <= events ? '0:00' : eventsPerSecond > 0 ? duration((total - events) / eventsPerSecond) : '?';
  return { rate, eta, counted: `${events.toLocaleString('en-US')}${total > 0 ? `/${total.toLocaleString('en-US')}` : ''} events` };
};

export const createReporter = (options: ReporterOptions): Reporter => {
  const now = options.now ?? (() => performance.now());
  const lineIntervalMs = options.lineIntervalMs ?? 2_000;
  let lastLineAt = -Infinity;
  let barDrawn = false;
  const json = (record: Record<string, unknown>) => options.stdout(`${JSON.stringify(record)}\n`);
  const endBar = () => {
    if (barDrawn) options.stderr('\n');
    barDrawn = false;
  };

  return {
    progress(progress) {
      if (options.json) return json({ type: 'progress', ...progress, eventsPerSecond: Math.round(progress.eventsPerSecond) });
      const { rate, eta, counted } = describe(progress);
      if (options.tty) {
        const share = progress.total > 0 ? Math.min(1, progress.events / progress.total) : 0;
        const filled = Math.round(share * BAR_WIDTH);
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
        options.stderr(`\r\x1b[2K${progress.task} ${bar} ${counted}  ${rate}  ETA ${eta}`);
        barDrawn = true;
        return;
      }
      if (now() - lastLineAt < lineIntervalMs) return;
      lastLineAt = now();
      options.stderr(`${progress.task}: ${counted}, ${rate}, ETA ${eta}\n`);
    },
    note(message, data = {}) {
      if (options.json) return json({ type: 'note', message, ...data });
      endBar();
      options.stderr(`${message}\n`);
    },
    result(text, data) {
      endBar();
      if (options.json) return json({ type: 'result', ...data });
      options.stdout(`${text}\n`);
    },
    done: endBar,
  };
};
