import type { Consumer } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMIT_STALL_RESTART_MS, commitStalled, recommitFinished } from '../../../projections/feed/fan-out-topic.js';

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
