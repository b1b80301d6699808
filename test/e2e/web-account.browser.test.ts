import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { base32Decode, TOTP_STEP_MS, totpAt } from '../../commands/accounts/totp.js';
import { expectCleanRun, PASSWORD, startWebHarness, type WebHarness } from '../support/web-browser.js';

// The web client's notifications and settings in Chromium (test/support/web-browser.ts): A keeps
// a page open on home while B follows A and likes A's post (through the API); A's badge counts
// them live over the event stream, without a reload (its first connection refused: it reconnects
// with a fresh ticket). A opens the notifications (B's name in each
// group, the badge clears; a comment arriving meanwhile goes to the top), then the settings: ends
// the session of a second login (that browser is sent to its login screen), changes the password
// (a wrong current one first: the API's message), turns on two-factor authentication with a code
// computed from the shown key, and deletes the account behind its confirmation dialog, landing on
// the login screen with the grace period's message; logs in again and restores it.

const chromiumPath = inject('chromiumPath');
// The clock TOTP codes are checked against (createPlatform's twoFactorClock), so the test makes the authenticator's codes.
let clock = Date.now();
const NEW_PASSWORD = 'a much longer passphrase';
// Waits as long as a loaded machine may need (expect.poll's default is one second); the reconnect alone waits about one.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

describe.skipIf(!chromiumPath)('notifications and settings in Chromium', () => {
  let h: WebHarness;
  let origin: string;
  beforeAll(async () => {
    h = await startWebHarness(chromiumPath, { twoFactorClock: () => clock });
    origin = h.origin;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('live badge, notifications, sessions, password, 2FA, account deletion', async () => {
    const stamp = Date.now().toString(36).slice(-5);
    const alice = `alice${stamp}`;
    const bob = `bob${stamp}`;
    const { page } = await h.newPage();
    const { page: bobPage } = await h.newPage();
    // A's first stream is refused (as a server restarting would): the client asks for a fresh ticket and connects again.
    const tickets: string[] = [];
    await page.route('**/api/v1/stream?*', async (route: Route) => {
      tickets.push(new URL(route.request().url()).searchParams.get('ticket') ?? '');
      if (tickets.length === 1) return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'BACKEND_UNAVAILABLE', message: 'down', details: [] } }) });
      return route.continue();
    });
    const aliceToken = await h.registerThroughUi(page, alice, 'Alice Author');
    const bobToken = await h.registerThroughUi(bobPage, bob, 'Bob Fan');
    const post = await h.postPhotos(aliceToken, 'A quiet morning', [[11, 1080, 1080]]);

    // A's page stays open on home; a mark on its window shows it is never reloaded.
    await page.evaluate(() => ((globalThis as { __sameDocument?: boolean }).__sameDocument = true));
    await poll(() => tickets.length).toBe(2);
    expect(tickets[1]).not.toBe(tickets[0]);
    await page.unroute('**/api/v1/stream?*');
    const badge = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    await badge('Notifications').waitFor();
    await h.call('POST', `/api/v1/users/${alice}/follow`, bobToken);
    await badge('Notifications (1 unread)').waitFor();
    await h.call('POST', `/api/v1/posts/${post.postId}/like`, bobToken);
    await badge('Notifications (2 unread)').waitFor();
    expect(await page.evaluate(() => (globalThis as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.locator('.notifications-link .badge').textContent()).toBe('2');

    // The notifications: B's name in each group, each linking to its post or profile; the badge clears.
    await badge('Notifications (2 unread)').click();
    await page.waitForURL(`${origin}/notifications`);
    const list = page.getByRole('list').filter({ has: page.locator('.notification') });
    const liked = list.getByRole('link', { name: new RegExp(`^${bob} liked your post`) });
    const followed = list.getByRole('link', { name: new RegExp(`^${bob} started following you`) });
    await liked.waitFor();
    await followed.waitFor();
    expect(await liked.getAttribute('href')).toBe(`/p/${post.postId}`);
    expect(await followed.getAttribute('href')).toBe(`/u/${bob}`);
    // New on this visit: marked as such, while the API has them read and the badge is back to none.
    expect(await liked.textContent()).toContain(', new');
    await badge('Notifications').waitFor();
    expect(((await h.call('GET', '/api/v1/notifications', aliceToken)) as { unreadCount: number }).unreadCount).toBe(0);
    // A group arriving while the screen is open goes to the top, and is marked read as it is shown.
    await h.call('POST', `/api/v1/posts/${post.postId}/comments`, bobToken, { text: 'Lovely light' });
    const first = list.locator('.notification').first().locator('.notification-text');
    await poll(() => first.textContent()).toMatch(new RegExp(`^${bob} commented on your post`));
    await poll(async () => ((await h.call('GET', '/api/v1/notifications', aliceToken)) as { unreadCount: number }).unreadCount).toBe(0);
    await badge('Notifications').waitFor();
    await h.shot(page, 'account-notifications');

    // A second login of A's, elsewhere.
    const { page: other } = await h.newPage();
    const logIn = async (password: string) => {
      await other.goto(`${origin}/login`);
      await other.getByLabel('Username or email').fill(alice);
      await other.getByLabel('Password').fill(password);
      await other.getByRole('button', { name: 'Log in' }).click();
      await other.getByRole('heading', { name: 'Home' }).waitFor();
    };
    await logIn(PASSWORD);

    // Settings: two sessions, this one marked; ending the other sends that browser to its login screen.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const sessions = page.getByRole('region', { name: 'Sessions' });
    const rows = sessions.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
    await poll(() => rows.count()).toBe(2);
    expect(await rows.filter({ hasText: '(this device)' }).count()).toBe(1);
    await sessions.getByRole('button', { name: 'Log out', exact: true }).click();
    await sessions.getByText('Logged out Chrome on Linux.').waitFor();
    await poll(() => rows.count()).toBe(1);
    await other.reload();
    await other.waitForURL(`${origin}/login`);
    await other.getByRole('heading', { name: 'Log in' }).waitFor();
    await h.shot(page, 'account-settings');

    // The password: a wrong current one is refused with the API's message; then changed, ending the other device's new session.
    await logIn(PASSWORD);
    const passwordSection = page.getByRole('region', { name: 'Password' });
    await passwordSection.getByLabel('Current password').fill('not my password');
    await passwordSection.getByLabel('New password').fill(NEW_PASSWORD);
    await passwordSection.getByRole('button', { name: 'Change password' }).click();
    await poll(() => passwordSection.getByRole('alert').textContent()).toBe('the current password is wrong');
    await passwordSection.getByLabel('Current password').fill(PASSWORD);
    await passwordSection.getByLabel('New password').fill('short');
    await passwordSection.getByRole('button', { name: 'Change password' }).click();
    await poll(() => passwordSection.getByRole('alert').textContent()).toMatch(/^newPassword: /);
    await passwordSection.getByLabel('New password').fill(NEW_PASSWORD);
    await passwordSection.getByRole('button', { name: 'Change password' }).click();
    await passwordSection.getByText('Password changed. 1 other session was logged out.').waitFor();
    await poll(() => rows.count()).toBe(1);

    // Two-factor authentication: the key shown in groups, its otpauth link, a code from it turns it on; ten recovery codes.
    const twoFactor = page.getByRole('region', { name: 'Two-factor authentication' });
    await twoFactor.getByText('Status: Off').waitFor();
    await twoFactor.getByLabel('Password').fill(NEW_PASSWORD);
    await twoFactor.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const shownKey = (await twoFactor.locator('code[data-secret]').textContent())!;
    expect(shownKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const key = shownKey.replaceAll(' ', '');
    expect(await twoFactor.getByRole('link', { name: 'Open in authenticator app' }).getAttribute('href')).toMatch(new RegExp(`^otpauth://totp/.*secret=${key}`));
    const secret = base32Decode(key);
    await twoFactor.getByLabel('6-digit code from the app').fill(totpAt(secret, clock));
    await twoFactor.getByRole('button', { name: 'Turn on' }).click();
    await twoFactor.getByText('Two-factor authentication is on.').waitFor();
    expect(await twoFactor.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
    await twoFactor.getByText('Status: On').waitFor();
    await h.shot(page, 'account-2fa');
    clock += TOTP_STEP_MS; // the confirming code is used up
    await twoFactor.getByRole('button', { name: 'I have saved them' }).click();
    await twoFactor.getByRole('button', { name: 'Turn off two-factor authentication' }).waitFor();
    const login = await fetch(`${origin}/api/v1/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: alice, password: NEW_PASSWORD }) });
    expect(((await login.json()) as { twoFactorRequired?: boolean }).twoFactorRequired).toBe(true);

    // Deleting: a modal confirmation with focus on its password; Escape cancels, focus back on the button.
    const open = page.getByRole('button', { name: 'Delete account…' });
    await open.click();
    const dialog = page.getByRole('alertdialog', { name: `Delete @${alice}?` });
    await dialog.waitFor();
    await poll(() => dialog.getByLabel('Password').evaluate((element) => element === (element.ownerDocument.activeElement as unknown))).toBe(true);
    await page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);
    await poll(() => open.evaluate((element) => element === (element.ownerDocument.activeElement as unknown))).toBe(true);
    await open.click();
    await dialog.getByLabel('Password').fill(NEW_PASSWORD);
    await dialog.getByLabel('Two-factor code (or a recovery code)').fill(totpAt(secret, clock));
    await h.shot(page, 'account-delete');
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(`${origin}/login`);
    await page.getByRole('status').filter({ hasText: `Your account @${alice} is scheduled for deletion and will be erased on` }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('instagram-es.session'))).toBeNull();
    // Hidden from everyone else (once the profiles read model has the deletion: the test has not its position).
    const seenByBob = async () => (await fetch(`${origin}/api/v1/users/${alice}`, { headers: { authorization: `Bearer ${bobToken}` } })).status;
    await poll(seenByBob).toBe(404);

    // During the grace period the owner logs in (with the two-factor step) and restores it from settings.
    clock += TOTP_STEP_MS;
    await page.getByLabel('Username or email').fill(alice);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Authentication code').fill(totpAt(secret, clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    const restore = page.getByRole('region', { name: 'Account scheduled for deletion' });
    await restore.getByRole('button', { name: 'Restore account' }).click();
    await page.getByRole('button', { name: 'Delete account…' }).waitFor();
    expect(await restore.count()).toBe(0);
    await poll(seenByBob).toBe(200);

    expect(Object.keys(h.findings).sort()).toEqual(['account-2fa', 'account-delete', 'account-notifications', 'account-settings']);
    expectCleanRun(h, [page, bobPage, other]);
  });
});
