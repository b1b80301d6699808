import pg from 'pg';

// Wakes subscribers when events are appended. One dedicated connection LISTENs on the channel
// the append notifier uses (payload: the schema appended to). It is an
// accelerator only: subscribers also poll, so a lost connection or a missed notification
// delays them by one poll interval at most, and they never depend on it for correctness.
export const CHANNEL = 'event_store';

export interface NotificationListener {
  /** Counts notifications; a change between two reads means one arrived in between. */
  readonly rings: number;
  /** Connects in the background if not connected (again) yet; never throws. */
  ensureListening(): void;
  /** Resolves at the next notification, after `timeoutMs`, or on abort, whichever is first. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export const createNotificationListener = (config: pg.ClientConfig): NotificationListener => {
  let rings = 0;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  const waiters = new Set<() => void>();

  const ring = () => {
    rings++;
    for (const wake of [...waiters]) wake();
  };

  const connect = async (): Promise<void> => {
    const candidate = new pg.Client(config);
    const drop = () => {
      if (client === candidate) client = undefined;
    };
    // Without an error listener a lost connection would crash the process.
    candidate.on('error', drop);
    candidate.on('end', drop);
    try {
      await candidate.connect();
      const { rows } = await candidate.query<{ schema: string }>('select current_schema() as schema');
      const schema = rows[0]?.schema;
      candidate.on('notification', (message) => {
        if (message.channel === CHANNEL && message.payload === schema) ring();
      });
      await candidate.query(`listen ${CHANNEL}`);
    } catch {
      await candidate.end().catch(() => undefined);
      return;
    }
    if (closed) return void (await candidate.end().catch(() => undefined));
    client = candidate;
    // Appends made while nobody listened are only seen by a read: make waiting readers look.
    ring();
  };

  return {
    get rings() {
      return rings;
    },
    ensureListening() {
      if (closed || client || connecting) return;
      connecting = connect().finally(() => (connecting = undefined));
    },
    wait(timeoutMs, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted || closed) return resolve();
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    async close() {
      closed = true;
      ring();
      await connecting;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
};
