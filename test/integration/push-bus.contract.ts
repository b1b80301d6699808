import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushBus, PushMessage } from '../../projections/push/push-bus.js';

// The one contract every PushBus adapter passes. Each bus instance stands for a process: pushes
// cross from one instance to another over the real server. "Nothing arrived" is checked without
// waiting on a clock: a later push to a sentinel user on the same bus arrives after it would have.

export interface PushBusesUnderTest {
  /** A new bus over the same servers, as another process would have. */
  createBus(): PushBus;
  cleanup(): Promise<void>;
}

const feedItem = (n: number): PushMessage => ({ type: 'feed', postId: `post-${n}`, authorId: 'author', score: n });

/** Collects what one subscription receives, and waits for the n-th message. */
const inbox = () => {
  const received: PushMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    received,
    listener: (message: PushMessage) => {
      received.push(message);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    },
    until: (count: number) =>
      received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  };
};

export const pushBusContract = (name: string, setup: () => Promise<PushBusesUnderTest>, { skip = false } = {}) =>
  describe.skipIf(skip)(`push bus contract: ${name}`, () => {
    let buses: PushBusesUnderTest;
    let api: PushBus;
    let projector: PushBus;
    beforeAll(async () => {
      buses = await setup();
      api = buses.createBus();
      projector = buses.createBus();
    });
    afterAll(async () => {
      await Promise.all([api?.close(), projector?.close()]);
      await buses?.cleanup();
    });

    it("delivers a push from one process to the subscribers of its recipients only, in order", async () => {
      const [alice, bob, carol] = [uuidv7(), uuidv7(), uuidv7()];
      const [toAlice, toBob] = [inbox(), inbox()];
      const stops = await Promise.all([api.subscribe(alice, toAlice.listener), api.subscribe(bob, toBob.listener)]);
      await projector.publish([alice, carol], feedItem(1));
      await projector.publish([alice], { type: 'notification', notification: { kind: 'like', actors: ['x'] } });
      await projector.publish([bob], feedItem(2));
      await Promise.all([toAlice.until(2), toBob.until(1)]);
      expect(toAlice.received).toEqual([feedItem(1), { type: 'notification', notification: { kind: 'like', actors: ['x'] } }]);
      expect(toBob.received).toEqual([feedItem(2)]);
      stops.forEach((stop) => stop());
    });

    it('gives each stream of a user the push, and stops a stream once it unsubscribes', async () => {
      const [user, sentinel] = [uuidv7(), uuidv7()];
      const [phone, laptop, watch] = [inbox(), inbox(), inbox()];
      const stopPhone = await api.subscribe(user, phone.listener);
      const stopLaptop = await api.subscribe(user, laptop.listener);
      const stopWatch = await api.subscribe(sentinel, watch.listener);
      await projector.publish([user], feedItem(1));
      await Promise.all([phone.until(1), laptop.until(1)]);

      stopPhone();
      await projector.publish([user], feedItem(2));
      await projector.publish([sentinel], feedItem(3));
      await Promise.all([laptop.until(2), watch.until(1)]);
      expect(phone.received).toEqual([feedItem(1)]);

      // The last stream of the user goes: the bus drops the user's subscription altogether.
      stopLaptop();
      stopLaptop(); // twice changes nothing
      await projector.publish([user], feedItem(4));
      await projector.publish([sentinel], feedItem(5));
      await watch.until(2);
      expect(laptop.received).toEqual([feedItem(1), feedItem(2)]);

      // And subscribing again right away works.
      const again = inbox();
      const stopAgain = await api.subscribe(user, again.listener);
      await projector.publish([user], feedItem(6));
      await again.until(1);
      expect(again.received).toEqual([feedItem(6)]);
      stopAgain();
      stopWatch();
    });

    it('reaches every recipient of a push to thousands of users (a fan-out chunk and more)', async () => {
      const users = Array.from({ length: 2_500 }, () => uuidv7());
      const watched = [users[0]!, users[1_250]!, users[2_499]!];
      const inboxes = watched.map(() => inbox());
      const stops = await Promise.all(watched.map((user, i) => api.subscribe(user, inboxes[i]!.listener)));
      await projector.publish(users, feedItem(7));
      await Promise.all(inboxes.map((box) => box.until(1)));
      for (const box of inboxes) expect(box.received).toEqual([feedItem(7)]);
      stops.forEach((stop) => stop());
    });

    it('publishes nothing for no recipients, and a closed bus delivers nothing more', async () => {
      const [user, sentinel] = [uuidv7(), uuidv7()];
      const closing = buses.createBus();
      const [gone, stays] = [inbox(), inbox()];
      await closing.subscribe(user, gone.listener);
      const stop = await api.subscribe(sentinel, stays.listener);
      await projector.publish([], feedItem(8));
      await closing.close();
      await projector.publish([user], feedItem(9));
      await projector.publish([sentinel], feedItem(10));
      await stays.until(1);
      expect(gone.received).toEqual([]);
      expect(stays.received).toEqual([feedItem(10)]);
      stop();
    });
  });
