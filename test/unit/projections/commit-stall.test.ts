import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../../app/metrics.js';
import { COMMIT_STALL_RESTART_MS, RECOMMIT_INTERVAL_MS, commitStalled, recommitFinished, startJobConsumer } from '../../../projections/feed/fan-out-topic.js';

// The job consumers' watchdog (projections/feed/fan-out-topic.ts): kafkajs keeps committing to the
// group coordinator it found at the join, so once that broker is lost every commit fails until the
// consumer is started afresh. recommitFinished calls for that once its commits of finished
// messages have failed for COMMIT_STALL_RESTART_MS, and not for failures that end sooner. Here
// kafkajs's consumer is a fake whose commits fail or succeed as told, under fake timers.

describe('commitStalled', () => {
  it('holds once commits have failed for the threshold, not before, and never after a success', () => {
    expect(commitStalled(null, 1_000_000)).toBe(false);
    expect(commitStalled(1_000, 1_000 + COMMIT_STALL_RESTART_MS - 1)).toBe(false);
    expect(commitStalled(1_000, 1_000 + COMMIT_STALL_RESTART_MS)).toBe(true);
    expect(commitStalled(1_000, 5_000, 4_000)).toBe(true);
  });
});

const fakeConsumer = () => {
  let failing = false;
  const commits: unknown[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: () => () => undefined,
    commitOffsets: async (offsets: unknown) => {
      commits.push(offsets);
      if (failing) throw new Error('Broker 1 not found in the cached metadata');
    },
  } as unknown as Consumer;
  return { consumer, commits, fail: (value: boolean) => (failing = value) };
};

describe('recommitFinished', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls for a new consumer once the commits of finished messages have failed for the threshold, once', async () => {
    vi.useFakeTimers();
    const { consumer, commits, fail } = fakeConsumer();
    const onStalled = vi.fn();
    const recommit = recommitFinished(consumer, { intervalMs: 1_000, stalledAfterMs: 5_000, onStalled });
    fail(true);
    recommit.finished('t', 0, '41');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onStalled).not.toHaveBeenCalled(); // failing for 4 s
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onStalled).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onStalled).toHaveBeenCalledTimes(1);
    // The offset kept for each try: the finished message's plus one.
    expect(commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: '42' }]);
    recommit.stop();
  });

  it('does not for failures a success ends, nor with nothing to commit', async () => {
    vi.useFakeTimers();
    const { consumer, fail } = fakeConsumer();
    const onStalled = vi.fn();
    const recommit = recommitFinished(consumer, { intervalMs: 1_000, stalledAfterMs: 5_000, onStalled });
    fail(true);
    recommit.finished('t', 0, '1');
    await vi.advanceTimersByTimeAsync(4_000);
    fail(false);
    await vi.advanceTimersByTimeAsync(1_000); // committed: the failures are over
    fail(true);
    recommit.finished('t', 0, '2');
    await vi.advanceTimersByTimeAsync(4_000);
    expect(onStalled).not.toHaveBeenCalled();
    fail(false);
    await vi.advanceTimersByTimeAsync(1_000);
    fail(true);
    await vi.advanceTimersByTimeAsync(60_000); // nothing finished since: nothing to commit, nothing stalled
    expect(onStalled).not.toHaveBeenCalled();
    recommit.stop();
  });
});

/** A kafkajs whose consumers record their life, commit as told and hand their eachMessage out. */
const fakeKafkaOfConsumers = () => {
  let failing = false;
  const consumers: { disconnected: boolean; eachMessage: (payload: EachMessagePayload) => Promise<void> }[] = [];
  const kafka = {
    consumer: () => {
      const state: { disconnected: boolean; eachMessage: (payload: EachMessagePayload) => Promise<void> } = { disconnected: false, eachMessage: async () => undefined };
      consumers.push(state);
      return {
        events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
        on: () => () => undefined,
        connect: async () => undefined,
        subscribe: async () => undefined,
        run: async ({ eachMessage }: { eachMessage: (payload: EachMessagePayload) => Promise<void> }) => void (state.eachMessage = eachMessage),
        commitOffsets: async () => {
          if (failing) throw new Error('Broker 1 not found in the cached metadata');
        },
        disconnect: async () => void (state.disconnected = true),
      };
    },
  } as unknown as Kafka;
  return { kafka, consumers, fail: (value: boolean) => (failing = value) };
};

const messageOf = (offset: string) => ({ topic: 'jobs', partition: 0, message: { offset, value: null } }) as unknown as EachMessagePayload;

describe('startJobConsumer', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('starts a consumer afresh once its commits have failed past the threshold, saying so and counting it', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { kafka, consumers, fail } = fakeKafkaOfConsumers();
    const handled: string[] = [];
    const consumer = await startJobConsumer(kafka, {
      label: 'test workers',
      groupId: 'stall-test-group',
      topic: 'jobs',
      sessionTimeout: 6_000,
      heartbeatInterval: 600,
      concurrency: 1,
      eachMessage: async ({ message }) => void handled.push(message.offset),
    });
    expect(consumers).toHaveLength(1);
    fail(true);
    await consumers[0]!.eachMessage(messageOf('7'));
    expect(handled).toEqual(['7']);
    await vi.advanceTimersByTimeAsync(COMMIT_STALL_RESTART_MS);
    expect(consumers).toHaveLength(1); // failing for less than the threshold yet
    await vi.advanceTimersByTimeAsync(RECOMMIT_INTERVAL_MS);
    expect(consumers).toHaveLength(2);
    expect(consumers[0]!.disconnected).toBe(true);
    expect(consumers[1]!.disconnected).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('stall-test-group'));
    expect(await createMetrics().registry.metrics()).toMatch(/kafka_consumer_restarts_total\{group="stall-test-group"\} 1/);
    // The new consumer is the one consuming; with commits answering again, nothing more restarts.
    fail(false);
    await consumers[1]!.eachMessage(messageOf('7'));
    await vi.advanceTimersByTimeAsync(4 * COMMIT_STALL_RESTART_MS);
    expect(consumers).toHaveLength(2);
    await consumer.stop();
    expect(consumers[1]!.disconnected).toBe(true);
  });
});
