import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoImage } from '../../scripts/demo-images.js';
import { expectCleanRun, PASSWORD, startWebHarness, type WebHarness } from '../support/web-browser.js';

// The profile screens in Chromium (test/support/web-browser.ts): two people register through the
// UI; A turns their account private and sets a picture through the UI; B sees "This account is
// private" and asks to follow; A approves on the requests screen; B then sees A's grid and opens
// a post from it; A's profile counts the follower; B's tagged tab lists a post tagging B; B mutes
// and unmutes A, then blocks (A's profile is gone for B, B's for A) and unblocks through the menu.
// Then C's blocks and mutes: C blocks D in another browser (its own login), and C's first tab,
// which never saw that block, still offers Unblock on D's profile (from GET /users/me/blocks) and
// links to Settings, where D is listed as blocked and G then E as muted (a page each, "Load more"
// reading the second by its cursor); an unmute refused by the API puts the row back with its
// message; unmuting (by keyboard) and unblocking from settings empty both lists, as the API agrees.

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('the profile screens in Chromium', () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness(chromiumPath);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('private account, follow request approved, grid, followers, tagged, mute, block', async () => {
    const origin = h.origin;
    const stamp = Date.now().toString(36).slice(-5);
    // A period in the name: the server must take /u/ada.x for a screen, not a file.
    const a = `ada.${stamp}`;
    const b = `bo${stamp}`;
    const { page: pa } = await h.newPage();
    const { page: pb } = await h.newPage();
    const tokenA = await h.registerThroughUi(pa, a, 'Ada Lovelace');
    const tokenB = await h.registerThroughUi(pb, b, 'Bo Bee');
    const profileOf = async (name: string, token: string) => (await h.call('GET', `/api/v1/users/${name}`, token)) as { private: boolean; avatar: unknown; followerCount: number; relationship: { requested: boolean; following: boolean; muting: boolean } };

    const first = await h.postPhotos(tokenA, 'Analytical engine', [[21, 1080, 1350]]);
    await h.postPhotos(tokenA, 'Two notes', [[22, 1080, 1080], [23, 1080, 810]]);
    // Both in the read model before the grid is first drawn (on a busy machine the projections trail the writes).
    await expect.poll(async () => ((await h.call('GET', `/api/v1/feed/user/${a}`, tokenA)) as { items: unknown[] }).items.length, { timeout: 30_000 }).toBe(2);

    // A: own profile from the header link; private through the UI; a picture through the upload flow.
    await pa.getByRole('link', { name: 'Profile', exact: true }).click();
    await pa.waitForURL(`${origin}/u/${a}`);
    await pa.getByRole('heading', { name: a, level: 1 }).waitFor();
    await pa.getByRole('button', { name: 'Edit profile' }).click();
    await pa.getByLabel('Private account').check();
    await expect.poll(async () => (await profileOf(a, tokenA)).private).toBe(true);
    await pa.getByLabel('Change profile photo').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: await demoImage(24, 600, 600) });
    await expect.poll(async () => (await profileOf(a, tokenA)).avatar !== null, { timeout: 30_000 }).toBe(true);
    await pa.locator('.profile-header .avatar img').waitFor();
    expect(await pa.getByRole('region', { name: `Posts by @${a}` }).getByRole('link').count()).toBe(2);
    await pa.getByRole('link', { name: 'Follow requests' }).waitFor();
    await h.shot(pa, 'profile-own');

    // B: A's profile is private: no grid, no lists, the follow button.
    await pb.goto(`${origin}/u/${a}`);
    await pb.getByRole('heading', { name: 'This account is private' }).waitFor();
    expect(await pb.getByRole('region', { name: `Posts by @${a}` }).count()).toBe(0);
    expect(await pb.getByRole('link', { name: /followers/ }).count()).toBe(0);
    expect(await pb.getByText('Ada Lovelace').isVisible()).toBe(true);
    await h.shot(pb, 'profile-private');
    // A refused follow goes back to "Follow" and says why (a 429 with its wait).
    await pb.route('**/api/v1/users/*/follow', (route: Route) =>
      route.fulfill({ status: 429, headers: { 'retry-after': '42', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'too many requests', details: [] } }) }),
    );
    await pb.getByRole('button', { name: `Follow @${a}` }).click();
    await expect.poll(() => pb.getByRole('alert').textContent()).toBe('Too many requests. Try again in 42 seconds.');
    await pb.getByRole('button', { name: `Follow @${a}` }).waitFor();
    expect((await profileOf(a, tokenB)).relationship.requested).toBe(false);
    await pb.unroute('**/api/v1/users/*/follow');
    await pb.getByRole('button', { name: `Follow @${a}` }).click();
    await pb.getByRole('button', { name: `Requested @${a}` }).waitFor();
    expect(await pb.getByRole('alert').count()).toBe(0);
    await pb.getByText('Your request is waiting for their approval.').waitFor();
    expect((await profileOf(a, tokenB)).relationship.requested).toBe(true);

    // A: the requests screen, reached from the profile; approve.
    await pa.reload();
    await pa.getByRole('link', { name: 'Follow requests (1)' }).click();
    await pa.waitForURL(`${origin}/requests`);
    const row = pa.getByRole('listitem').filter({ has: pa.getByRole('link', { name: b, exact: true }) });
    await row.getByRole('button', { name: `Approve @${b}` }).waitFor();
    await h.shot(pa, 'profile-requests');
    await row.getByRole('button', { name: `Approve @${b}` }).click();
    await row.getByText(`Approved: @${b} follows you now.`).waitFor();
    await expect.poll(async () => (await profileOf(a, tokenB)).relationship.following).toBe(true);

    // B: the grid now, square thumbnails linking to the posts; open one.
    await pb.reload();
    const grid = pb.getByRole('region', { name: `Posts by @${a}` });
    await grid.getByRole('link').nth(1).waitFor();
    expect(await grid.getByRole('link').count()).toBe(2);
    expect(await pb.getByRole('heading', { name: 'This account is private' }).count()).toBe(0);
    await pb.getByRole('button', { name: `Following @${a}` }).waitFor();
    const tile = grid.locator(`a[href="/p/${first.postId}"]`);
    const box = (await tile.boundingBox())!;
    expect(box.width).toBeCloseTo(box.height, 0);
    await expect.poll(() => grid.locator('img').evaluateAll((images) => images.every((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0))).toBe(true);
    await h.shot(pb, 'profile-grid');
    await grid.getByRole('img', { name: /Analytical engine/ }).click();
    await pb.waitForURL(`${origin}/p/${first.postId}`);
    await pb.locator(`article[data-post-id="${first.postId}"]`).waitFor();
    // The post's author name leads back to the profile.
    await pb.locator(`article[data-post-id="${first.postId}"]`).getByRole('link', { name: a, exact: true }).click();
    await pb.waitForURL(`${origin}/u/${a}`);
    // Unfollowing a private account asks first; cancelled, nothing changes.
    await pb.getByRole('button', { name: `Following @${a}` }).click();
    await pb.getByRole('dialog', { name: `Unfollow @${a}?` }).getByRole('button', { name: 'Cancel' }).click();
    await pb.getByRole('button', { name: `Following @${a}` }).waitFor();
    expect((await profileOf(a, tokenB)).relationship.following).toBe(true);

    // A: one follower, and the list names B.
    await pa.goto(`${origin}/u/${a}`);
    await pa.getByRole('link', { name: '1 follower' }).click();
    await pa.waitForURL(`${origin}/u/${a}/followers`);
    await pa.getByRole('heading', { name: 'Followers' }).waitFor();
    await pa.getByRole('region', { name: 'Followers' }).getByRole('link', { name: b, exact: true }).waitFor();

    // B's tagged tab lists A's post tagging B (made through the API with the item's tags).
    const tagged = (await h.call('POST', '/api/v1/posts', tokenA, { caption: 'With Bo', media: [{ mediaId: await h.upload(tokenA, 25, 1080, 1080), tags: [{ username: b, x: 0.5, y: 0.5 }] }] })) as { postId: string; position: string };
    // The tags projection has it before B looks (read-your-writes on A's position).
    const listed = (await h.call('GET', `/api/v1/users/${b}/tagged?minPosition=${tagged.position}`, tokenB)) as { items: { id: string }[] };
    expect(listed.items.map((item) => item.id)).toEqual([tagged.postId]);
    await pb.getByRole('link', { name: 'Profile', exact: true }).click();
    await pb.waitForURL(`${origin}/u/${b}`);
    await pb.getByRole('link', { name: 'Tagged' }).click();
    await pb.waitForURL(`${origin}/u/${b}/tagged`);
    const taggedGrid = pb.getByRole('region', { name: `Posts @${b} is tagged in` });
    await taggedGrid.locator(`a[href="/p/${tagged.postId}"]`).waitFor();
    expect(await taggedGrid.getByRole('link').count()).toBe(1);

    // B mutes A, then unmutes: each confirmed, the state shown and the API's.
    await pb.goto(`${origin}/u/${a}`);
    const options = pb.getByRole('button', { name: `More options for @${a}` });
    await options.click();
    await pb.getByRole('button', { name: 'Mute', exact: true }).click();
    await pb.getByRole('dialog', { name: `Mute @${a}?` }).getByRole('button', { name: 'Mute' }).click();
    await pb.getByText(`You muted @${a}`).waitFor();
    await expect.poll(async () => (await profileOf(a, tokenB)).relationship.muting).toBe(true);
    await options.click();
    await pb.getByRole('button', { name: 'Unmute', exact: true }).click();
    await pb.getByRole('dialog', { name: `Unmute @${a}?` }).getByRole('button', { name: 'Unmute' }).click();
    await expect.poll(() => pb.getByText(`You muted @${a}`).count()).toBe(0);
    await expect.poll(async () => (await profileOf(a, tokenB)).relationship.muting).toBe(false);

    // B blocks A: cancel first (nothing happens), then confirm.
    await options.click();
    await pb.getByRole('button', { name: 'Block', exact: true }).click();
    await pb.getByRole('dialog', { name: `Block @${a}?` }).getByRole('button', { name: 'Cancel' }).click();
    expect(await pb.getByRole('dialog').count()).toBe(0);
    expect((await fetch(`${origin}/api/v1/users/${a}`, { headers: { authorization: `Bearer ${tokenB}` } })).status).toBe(200);
    await options.click();
    await pb.getByRole('button', { name: 'Block', exact: true }).click();
    await pb.getByRole('dialog', { name: `Block @${a}?` }).getByRole('button', { name: 'Block' }).click();
    await pb.getByRole('heading', { name: `You blocked @${a}` }).waitFor();
    await expect.poll(async () => (await fetch(`${origin}/api/v1/users/${a}`, { headers: { authorization: `Bearer ${tokenB}` } })).status).toBe(404);
    // A sees the API's 404 for B's profile as "not found".
    await pa.goto(`${origin}/u/${b}`);
    await pa.getByRole('heading', { name: 'Profile not found' }).waitFor();
    // B unblocks through the same screen: A's profile again, private, since the block ended the follow.
    await pb.getByRole('button', { name: `Unblock @${a}` }).click();
    await pb.getByRole('dialog', { name: `Unblock @${a}?` }).getByRole('button', { name: 'Unblock' }).click();
    await pb.getByRole('heading', { name: 'This account is private' }).waitFor();
    await pb.getByRole('button', { name: `Follow @${a}` }).waitFor();

    expect(Object.keys(h.findings)).toEqual(['profile-own', 'profile-private', 'profile-requests', 'profile-grid']);
    expectCleanRun(h, [pa, pb]);
  });

  it('blocked and muted accounts in settings; a block made in another browser', async () => {
    const origin = h.origin;
    const stamp = Date.now().toString(36).slice(-5);
    const [c, d, e, g] = ['cy', 'dee', 'eve', 'gus'].map((name) => `${name}${stamp}`) as [string, string, string, string];
    const register = async (username: string, displayName: string) => {
      const response = await fetch(`${origin}/api/v1/users/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, email: `${username}@example.com`, password: PASSWORD, displayName }) });
      expect(response.status).toBe(201);
    };
    await register(d, 'Dee Dot');
    await register(e, 'Eve Ever');
    await register(g, 'Gus Grey');
    const { page } = await h.newPage();
    const tokenC = await h.registerThroughUi(page, c, 'Cy Sea');
    const names = async (list: 'blocks' | 'mutes') => ((await h.call('GET', `/api/v1/users/me/${list}`, tokenC)) as { items: { username: string }[] }).items.map((user) => user.username);

    // C's other browser logs in and blocks D through D's profile menu.
    const { page: elsewhere } = await h.newPage();
    await elsewhere.goto(`${origin}/login`);
    await elsewhere.getByLabel('Username or email').fill(c);
    await elsewhere.getByLabel('Password').fill(PASSWORD);
    await elsewhere.getByRole('button', { name: 'Log in' }).click();
    await elsewhere.getByRole('heading', { name: 'Home' }).waitFor();
    await elsewhere.goto(`${origin}/u/${d}`);
    await elsewhere.getByRole('button', { name: `More options for @${d}` }).click();
    await elsewhere.getByRole('button', { name: 'Block', exact: true }).click();
    await elsewhere.getByRole('dialog', { name: `Block @${d}?` }).getByRole('button', { name: 'Block' }).click();
    await elsewhere.getByRole('heading', { name: `You blocked @${d}` }).waitFor();
    await h.call('POST', `/api/v1/users/${e}/mute`, tokenC);
    await h.call('POST', `/api/v1/users/${g}/mute`, tokenC);
    // This tab holds none of those positions: it looks once the read model has them.
    await expect.poll(() => names('blocks')).toEqual([d]);
    await expect.poll(() => names('mutes')).toEqual([g, e]);

    // The first tab: D's profile answers 404, and C's blocks say why.
    await page.goto(`${origin}/u/${d}`);
    await page.getByRole('heading', { name: `You blocked @${d}` }).waitFor();
    await page.getByRole('button', { name: `Unblock @${d}` }).waitFor();
    // Pages of one for the mutes, so that two need "Load more" (the API's own cursor).
    await page.route('**/api/v1/users/me/mutes?*', async (route: Route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '1');
      await route.continue({ url: url.toString() });
    });
    await page.getByRole('link', { name: 'Settings, Blocked accounts' }).click();
    await page.waitForURL(`${origin}/settings#blocked-accounts`);
    const blocked = page.getByRole('region', { name: 'Blocked accounts' });
    const muted = page.getByRole('region', { name: 'Muted accounts' });
    const focused = (locator: ReturnType<typeof page.getByRole>) => locator.evaluate((element) => element === (element.ownerDocument.activeElement as unknown));
    await expect.poll(() => focused(blocked.getByRole('heading', { name: 'Blocked accounts' }))).toBe(true);
    const rows = (region: typeof blocked) => region.getByRole('list').getByRole('listitem');
    await expect.poll(() => rows(blocked).getByRole('link').allTextContents()).toEqual([d]);
    expect(await rows(blocked).getByRole('link').getAttribute('href')).toBe(`/u/${d}`);
    await rows(blocked).getByText('Dee Dot', { exact: true }).waitFor();
    await rows(blocked).getByRole('button', { name: `Unblock @${d}` }).waitFor();
    // Newest first, one page at a time.
    await expect.poll(() => rows(muted).getByRole('link').allTextContents()).toEqual([g]);
    await muted.getByRole('button', { name: 'Load more muted accounts' }).click();
    await expect.poll(() => rows(muted).getByRole('link').allTextContents()).toEqual([g, e]);
    await expect.poll(() => muted.getByRole('button', { name: 'Load more muted accounts' }).count()).toBe(0);
    await page.unroute('**/api/v1/users/me/mutes?*');
    await muted.scrollIntoViewIfNeeded();
    await h.shot(page, 'account-blocked');

    // An unmute the API refuses: the row leaves at once, and comes back with the API's message.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolveHeld) => (release = resolveHeld));
    await page.route(`**/api/v1/users/${g}/mute`, async (route: Route) => {
      await held;
      await route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'CONFLICT', message: 'That did not work this time', details: [] } }) });
    });
    await muted.getByRole('button', { name: `Unmute @${g}` }).click();
    await expect.poll(() => rows(muted).getByRole('link').allTextContents()).toEqual([e]);
    release();
    await muted.getByRole('alert').filter({ hasText: 'That did not work this time' }).waitFor();
    expect(await rows(muted).getByRole('link').allTextContents()).toEqual([g, e]);
    expect(await names('mutes')).toEqual([g, e]);
    await page.unroute(`**/api/v1/users/${g}/mute`);

    // By keyboard: the row leaves and the focus goes to the next row's button.
    await muted.getByRole('button', { name: `Unmute @${g}` }).focus();
    await page.keyboard.press('Enter');
    await muted.getByRole('status').filter({ hasText: `Unmuted @${g}.` }).waitFor();
    await expect.poll(() => focused(muted.getByRole('button', { name: `Unmute @${e}` }))).toBe(true);
    expect(await muted.getByRole('alert').count()).toBe(0);
    await page.keyboard.press('Enter');
    await muted.getByText('You have not muted anyone.').waitFor();
    await expect.poll(() => names('mutes')).toEqual([]);

    await blocked.getByRole('button', { name: `Unblock @${d}` }).click();
    await blocked.getByText('You have not blocked anyone.').waitFor();
    await expect.poll(() => focused(blocked.getByRole('heading', { name: 'Blocked accounts' }))).toBe(true);
    await expect.poll(() => names('blocks')).toEqual([]);
    await expect.poll(async () => (await fetch(`${origin}/api/v1/users/${d}`, { headers: { authorization: `Bearer ${tokenC}` } })).status).toBe(200);

    // Settings read again (a reload) from the API: both lists still empty.
    await page.reload();
    await blocked.getByText('You have not blocked anyone.').waitFor();
    await muted.getByText('You have not muted anyone.').waitFor();

    expect(h.findings['account-blocked']).toEqual([]);
    expectCleanRun(h, [page, elsewhere]);
  });
});
