import { describe, expect, it } from 'vitest';
import { boundedSemaphore, hashPassword, verifyPassword } from '../../../commands/accounts/password.js';

// Password hashing is bounded (commands/accounts/password.ts): so many at once, so many waiting,
// and past that a refusal rather than an ever-longer queue on the thread pool.
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

describe('the bounded semaphore behind password hashing', () => {
  it('runs at most `concurrency` tasks at once, queues `queueLimit` more, and refuses the rest', async () => {
    const run = boundedSemaphore(2, 1);
    const held = gate();
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await held.opened;
      running -= 1;
      return 'done';
    };
    const accepted = [run(task), run(task), run(task)];
    expect(await run(task)).toBeNull();
    held.open();
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(most).toBe(2);
    // The slots are free again.
    expect(await run(async () => 'again')).toBe('again');
  });

  it('frees the slot when a task fails', async () => {
    const run = boundedSemaphore(1, 0);
    await expect(run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await run(async () => 'next')).toBe('next');
  });

  it('still hashes and verifies through it', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('wrong', hash)).toBe(false);
  });
});
