import { describe, expect, it, vi } from 'vitest';
import { passwordHashingForTests } from '../../commands/accounts/password.js';
import { useTestApp } from '../support/test-app.js';

// A wrong-password flood cannot lock clean users out of login (commands/accounts/hashing-admission.ts):
// once an address or a named account has failed a login, its later attempts wait behind clean
// callers, are pushed out of a full hashing queue by them, and are refused at a full queue with
// 429 and Retry-After; and before the flood's attempts have failed, a returning user (this address
// and account logged in before) still gets in ahead of them. Over HTTP, with the rate limits on but roomy (so they refuse nothing here)
// and addresses from X-Forwarded-For. The hashing is held (a test-only option of password.ts) so
// that the queue stays full while the test looks at who gets in: outcomes, not timing.
const roomy = { limit: 1000, windowMs: 60_000 };
const { t, api } = useTestApp({ rateLimits: { limits: { login: roomy, register: roomy }, trustProxy: true } });

const PASSWORD = 'correct horse battery';
const from = (address: string) => ({ 'x-forwarded-for': address });
const login = (username: string, password: string, address: string) =>
  api.call('POST', '/api/v1/users/login', { body: { username, password }, headers: from(address) });
const register = (username: string, address: string) =>
  api.call('POST', '/api/v1/users/register', { body: { username, email: `${username}@example.com`, password: PASSWORD }, headers: from(address) });

const expectBusy = (response: Awaited<ReturnType<typeof login>>) => {
  expect(response.status).toBe(503);
  expect(response.body.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: [{ path: 'password-hashing', message: 'busy' }] });
};

const expectTurnedAway = (response: Awaited<ReturnType<typeof login>>) => {
  expect(response.status).toBe(429);
  expect(response.body.error).toMatchObject({ code: 'RATE_LIMITED', details: [{ path: 'password-hashing', message: 'recent failed logins' }] });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
};

describe('password hashing during a wrong-password flood', () => {
  it('lets a clean login in at a queue full of suspects (pushing the newest out), and refuses suspects, by address and by named account', async () => {
    const alice = await api.register();
    const victim = await api.register();
    const flood = ['203.0.113.1', '203.0.113.2', '2001:db8:66:1::1'];

    // The flood's addresses fail once each, one of them against the victim's account.
    expect((await login(victim.username, 'guess 0', flood[0]!)).status).toBe(401);
    expect((await login('nobody1', 'guess 1', flood[1]!)).status).toBe(401);
    expect((await login('nobody2', 'guess 2', flood[2]!)).status).toBe(401);

    // One hash at a time, three waiting, and every hash held until released.
    passwordHashingForTests.resize(1, 3);
    const release = passwordHashingForTests.hold();
    try {
      // The flood fills the slot and the queue, one request after another (so the newest is known);
      // another host of the same IPv6 /64 counts as its address.
      const floodAnswers: Promise<Awaited<ReturnType<typeof login>>>[] = [];
      const floodFrom = ['203.0.113.1', '203.0.113.2', '2001:db8:66:1::2', '203.0.113.1'];
      for (const [i, address] of floodFrom.entries()) {
        floodAnswers.push(login(`nobody${10 + i}`, `guess ${10 + i}`, address));
        await vi.waitFor(() => expect(passwordHashingForTests.load()).toMatchObject({ running: 1, suspect: i }));
      }

      // Suspects arriving at the full queue are refused: a flood address, and the victim's
      // account from an address that never failed, even with the right password.
      expectTurnedAway(await login('nobody20', 'guess 20', flood[1]!));
      expectTurnedAway(await login(victim.username, PASSWORD, '198.51.100.77'));

      // A clean login takes the place of the newest suspect waiter, which is answered 429 at once.
      const aliceAnswer = login(alice.username, PASSWORD, '198.51.100.10');
      expectTurnedAway(await floodAnswers[3]!);
      expect(passwordHashingForTests.load()).toEqual({ running: 1, trusted: 0, clean: 1, suspect: 2 });

      // Registration is clean from a clean address (and takes the next suspect's place), a suspect
      // from a flood address: refused before anything is appended.
      const carolAnswer = register('carol_clean', '198.51.100.11');
      expectTurnedAway(await floodAnswers[2]!);
      const refusedRegistration = await register('mallory_flood', flood[0]!);
      expectTurnedAway(refusedRegistration);
      expect(passwordHashingForTests.load()).toEqual({ running: 1, trusted: 0, clean: 2, suspect: 1 });

      release();
      const aliceLoggedIn = await aliceAnswer;
      expect(aliceLoggedIn.status).toBe(200);
      expect(aliceLoggedIn.body).toMatchObject({ userId: alice.userId, accessToken: expect.any(String) });
      expect((await carolAnswer).status).toBe(201);
      // The suspects that were let in get their answer: a wrong password.
      expect((await Promise.all([floodAnswers[0]!, floodAnswers[1]!])).map((answer) => answer.status)).toEqual([401, 401]);
      expect((await t.allEvents()).some((event) => event.streamId.includes('mallory_flood'))).toBe(false);
    } finally {
      release();
    }
  });

  it("lets a returning user in at a queue full of a flood's first attempts from fresh addresses (pushing the newest out with 503), not a newcomer", async () => {
    const bob = await api.register();
    expect((await login(bob.username, PASSWORD, '198.51.100.30')).status).toBe(200);

    passwordHashingForTests.resize(1, 2);
    const release = passwordHashingForTests.hold();
    try {
      // Fresh addresses, unknown names: nothing has failed yet, so they are clean and fill the queue.
      const firstWave: Promise<Awaited<ReturnType<typeof login>>>[] = [];
      for (let i = 0; i < 3; i++) {
        firstWave.push(login(`fresh${i}`, `guess ${i}`, `192.0.2.${i + 1}`));
        await vi.waitFor(() => expect(passwordHashingForTests.load()).toMatchObject({ running: 1, clean: i }));
      }
      // A newcomer finds the queue full of clean callers: 503, the platform is overloaded.
      expectBusy(await login('newcomer', PASSWORD, '198.51.100.40'));

      // Bob, from the address he logged in from, goes ahead: the newest clean waiter is pushed out.
      const bobAnswer = login(bob.username, PASSWORD, '198.51.100.30');
      expectBusy(await firstWave[2]!);
      expect(passwordHashingForTests.load()).toEqual({ running: 1, trusted: 1, clean: 1, suspect: 0 });
      // The trust is that address's and account's together: Bob from elsewhere is a newcomer.
      expectBusy(await login(bob.username, PASSWORD, '198.51.100.31'));

      release();
      expect((await bobAnswer).status).toBe(200);
      expect((await Promise.all([firstWave[0]!, firstWave[1]!])).map((answer) => answer.status)).toEqual([401, 401]);
    } finally {
      release();
    }
  });
});
