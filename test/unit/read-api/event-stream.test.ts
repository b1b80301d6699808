import { describe, expect, it } from 'vitest';
import { createEventStream, SlowClientError } from '../../../read-api/event-stream.js';

// The SSE body on its own: what it writes, and that it never buffers without bound for a client
// that does not read.

const read = (body: NodeJS.ReadableStream) => {
  let text = '';
  body.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
};

describe('event stream body', () => {
  it('writes numbered events with JSON data on one line, after a retry hint', async () => {
    const stream = createEventStream({ retryMs: 2_000 });
    const text = read(stream.body);
    stream.send('feed', { postId: 'p1', caption: 'two\nlines' });
    stream.send('notification', { id: 'n1' });
    stream.end();
    await new Promise((resolve) => stream.body.once('end', resolve));
    expect(text()).toBe(
      'retry: 2000\n\n' +
        'id: 1\nevent: feed\ndata: {"postId":"p1","caption":"two\\nlines"}\n\n' +
        'id: 2\nevent: notification\ndata: {"id":"n1"}\n\n',
    );
  });

  it('sends heartbeat comments while nothing else happens', async () => {
    const stream = createEventStream({ heartbeatMs: 5 });
    const text = read(stream.body);
    await new Promise<void>((resolve) => stream.body.on('data', () => text().includes(': heartbeat\n\n') && resolve()));
    stream.end();
  });

  it('cuts off a client that leaves too much unread, instead of buffering for it', async () => {
    const stream = createEventStream({ maxBufferedBytes: 10_000 });
    const closed = new Promise<unknown>((resolve) => stream.body.once('error', resolve));
    for (let i = 0; i < 1_000; i++) stream.send('feed', { postId: `post-${i}`, authorId: 'a', score: i });
    const error = await closed;
    expect(error).toBeInstanceOf(SlowClientError);
    expect(stream.body.destroyed).toBe(true);
    expect((error as SlowClientError).bufferedBytes).toBeLessThan(10_200);
  });

  it('ignores what comes after the end', async () => {
    const stream = createEventStream();
    const text = read(stream.body);
    stream.end();
    stream.send('feed', { late: true });
    stream.end();
    await new Promise((resolve) => stream.body.once('end', resolve));
    expect(text()).not.toContain('late');
  });
});
