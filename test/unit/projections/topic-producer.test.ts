import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopicProducer, nextProduceCall } from '../../../projections/feed/fan-out-topic.js';

// The job topics' producer (projections/feed/fan-out-topic.ts createTopicProducer) keeps one
// produce call in flight: kafkajs's idempotent producer numbers a partition's messages when a
// call starts and takes the numbers back when it fails, so calls side by side reused a number
// across a leader's loss and the new leader dropped a message as a duplicate while acknowledging it.
// Here kafkajs is a fake that records the calls; the topic exists with its leaders.

interface Call {
  keys: string[];
  settle(error?: Error): void;
}

const fakeKafka = () => {
  const calls: Call[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      createTopics: async () => false,
      fetchTopicMetadata: async () => ({ topics: [{ partitions: [{ partitionId: 0, leader: 1 }] }] }),
    }),
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: ({ messages }: { messages: { key: string }[] }) =>
        new Promise<void>((resolve, reject) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          calls.push({ keys: messages.map(({ key }) => key), settle: (error) => (inFlight--, error ? reject(error) : resolve()) });
        }),
    }),
  } as unknown as Kafka;
  return { kafka, calls, mostInFlight: () => mostInFlight };
};

/** Until `check` holds, letting the producer's promises run. */
const settled = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
};

describe('the job topics producer', () => {
  it('keeps one produce call in flight, the sends made meanwhile going together in the next', async () => {
    const { kafka, calls, mostInFlight } = fakeKafka();
    const producer = createTopicProducer(kafka, { topic: 't', partitions: 4, replicationFactor: 3 });
    const first = producer.send('a', { n: 1 });
    await settled(() => calls.length === 1);
    const rest = ['b', 'c', 'd'].map((key) => producer.send(key, { key }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1); // b, c and d wait for a's call
    calls[0]!.settle();
    await first;
    await settled(() => calls.length === 2);
    expect(calls[1]!.keys).toEqual(['b', 'c', 'd']);
    calls[1]!.settle();
    await Promise.all(rest);
    expect(mostInFlight()).toBe(1);
  });

  it('fails the sends of a failed call, and only those', async () => {
    const { kafka, calls } = fakeKafka();
    const producer = createTopicProducer(kafka, { topic: 't', partitions: 4, replicationFactor: 3 });
    const first = producer.send('a', {});
    await settled(() => calls.length === 1);
    const second = producer.send('b', {});
    calls[0]!.settle(new Error('leader lost'));
    await expect(first).rejects.toThrow('leader lost');
    await settled(() => calls.length === 2);
    calls[1]!.settle();
    await expect(second).resolves.toBeUndefined();
  });
});

describe('nextProduceCall', () => {
  const queued = (...sizes: number[]) => sizes.map((size, i) => ({ id: i, value: 'x'.repeat(size) }));

  it('takes the waiting messages up to the byte limit, and the first one whatever its size', () => {
    const queue = queued(400, 400, 400, 400);
    expect(nextProduceCall(queue, { bytes: 1_000, messages: 10 }).map(({ id }) => id)).toEqual([0, 1]);
    expect(queue.map(({ id }) => id)).toEqual([2, 3]);
    expect(nextProduceCall(queued(5_000, 1), { bytes: 1_000, messages: 10 }).map(({ id }) => id)).toEqual([0]);
  });

  it('takes at most the message limit', () => {
    const queue = queued(1, 1, 1, 1, 1);
    expect(nextProduceCall(queue, { bytes: 1_000, messages: 3 })).toHaveLength(3);
    expect(queue).toHaveLength(2);
  });
});
