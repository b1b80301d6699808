import { Readable } from 'node:stream';

// One Server-Sent Events response (text/event-stream): events with an id, a heartbeat comment so
// that proxies and clients see a silent stream is alive, and a bound on what a client may leave
// unread. A client that reads slower than pushes arrive is cut off (it reconnects and refetches)
// rather than buffered for without end: the bytes queued for it past `maxBufferedBytes` end it.

export interface EventStreamOptions {
  /** Default 15 s. */
  heartbeatMs?: number;
  /** Unread bytes at which the client is cut off (default 256 KiB). */
  maxBufferedBytes?: number;
  /** How long an EventSource waits before reconnecting (default 3 s). */
  retryMs?: number;
}

export interface EventStream {
  /** The response body: the reply pipes it to the socket, with backpressure. */
  readonly body: Readable;
  /** Queues `event: <name>` with `data` as JSON; ignored once the stream is over. */
  send(name: string, data: unknown): void;
  /** Ends the stream cleanly; a client that does not take the rest within `graceMs` is cut off. */
  end(graceMs?: number): void;
}

export class SlowClientError extends Error {
  constructor(readonly bufferedBytes: number) {
    super(`event stream closed: the client left ${bufferedBytes} bytes unread`);
    this.name = 'SlowClientError';
  }
}

export const createEventStream = ({ heartbeatMs = 15_000, maxBufferedBytes = 256 * 1024, retryMs = 3_000 }: EventStreamOptions = {}): EventStream => {
  const body = new Readable({ read: () => undefined });
  let ended = false;
  let nextId = 1;
  const write = (text: string) => {
    if (ended || body.destroyed) return;
    body.push(text);
    if (body.readableLength > maxBufferedBytes) body.destroy(new SlowClientError(body.readableLength));
  };
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs).unref();
  body.once('close', () => clearInterval(heartbeat));
  // Something to send at once: the response's headers go out with the first bytes.
  write(`retry: ${retryMs}\n\n`);

  return {
    body,
    // JSON has no raw line breaks, so the data is one `data:` line.
    send: (name, data) => write(`id: ${nextId++}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
    end(graceMs = 1_000) {
      if (ended || body.destroyed) return;
      ended = true;
      clearInterval(heartbeat);
      body.push(null);
      setTimeout(() => body.destroy(), graceMs).unref();
    },
  };
};
