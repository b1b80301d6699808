import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectCleanRun, startWebHarness, type WebHarness } from '../support/web-browser.js';

// The web client's discovery screens and collections in Chromium (test/support/web-browser.ts):
// A posts a photo with #sunsetglow at a place; B, registered through the UI, finds the tag and A
// by a typo in the search box's suggestions, opens the hashtag page and follows the tag, opens the
// post and its place, looks at explore, then makes a collection, saves A's post to it from the
// post page, and renames, empties and deletes it. Every step goes through roles and labels.

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('the web client: search, hashtags, places, explore, collections', () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness(chromiumPath);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds a tag and a person despite a typo, follows the tag, opens the place, explores, and saves to a collection', async () => {
    const stamp = Date.now().toString(36).slice(-5);
    const authorName = `ansel${stamp}`;
    const viewerName = `bea${stamp}`;
    const { origin } = h;
    const { page: authorPage } = await h.newPage();
    const { page } = await h.newPage();

    await h.registerThroughUi(page, viewerName, 'Bea Viewer');
    const authorToken = await h.registerThroughUi(authorPage, authorName, 'Sunsetglow Studio');
    const mediaId = await h.upload(authorToken, 11, 1080, 1350);
    const post = (await h.call('POST', '/api/v1/posts', authorToken, {
      caption: `Last light over the bay with @${viewerName}. #sunsetglow`,
      media: [{ mediaId }],
      location: { name: 'Baker Beach', lat: 37.7936, lon: -122.4836 },
    })) as { postId: string; position: string };

    // Search is a projection: the typo finds the tag and A once it has the post and the account.
    await expect
      .poll(async () => {
        const found = (await h.call('GET', '/api/v1/search/autocomplete?q=sunsetglw', authorToken)) as { users: { username: string }[]; hashtags: { tag: string }[] };
        return [found.hashtags.some((tag) => tag.tag === 'sunsetglow'), found.users.some((user) => user.username === authorName)];
      }, { timeout: 15_000 })
      .toEqual([true, true]);

    // Suggestions as one types, chosen with the keyboard.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
    await page.waitForURL(`${origin}/search`);
    const box = page.getByRole('combobox', { name: 'Search' });
    await box.fill('sunsetglw');
    const suggestions = page.getByRole('listbox', { name: 'Suggestions' });
    const tagOption = suggestions.getByRole('option', { name: /#sunsetglow\s*1 post/ });
    await tagOption.waitFor();
    await suggestions.getByRole('option', { name: new RegExp(`${authorName}\\s*Sunsetglow Studio`) }).waitFor();
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    await box.press('ArrowDown');
    const firstId = await box.getAttribute('aria-activedescendant');
    expect(await page.locator(`#${firstId}`).getAttribute('aria-selected')).toBe('true');
    await h.shot(page, 'discovery-search');
    // Escape closes the list, then clears the box.
    await box.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await box.press('Escape');
    expect(await box.inputValue()).toBe('');

    // Places by name, a typo too.
    await box.fill('baker bech');
    await suggestions.getByRole('option', { name: /Baker Beach\s*1 post/ }).waitFor();
    await box.press('Escape');
    await box.press('Escape');

    // The full search (Enter): the tag, A and the post's grid.
    await box.fill('sunsetglow');
    await box.press('Enter');
    await page.waitForURL(`${origin}/search?q=sunsetglow`);
    await page.getByRole('region', { name: 'Posts matching “sunsetglow”' }).locator(`a[href="/p/${post.postId}"]`).waitFor();
    await page.getByRole('link', { name: /#sunsetglow/ }).first().waitFor();

    // Nothing found is said so.
    await box.fill('qqzzxxqqzz');
    await box.press('Enter');
    await page.getByText('No results for “qqzzxxqqzz”.').waitFor();

    // The hashtag page from a suggestion, with the keyboard ('#' asks for hashtags only).
    await box.press('Escape');
    await box.press('Escape');
    await box.fill('#sunsetg');
    await tagOption.waitFor();
    expect(await suggestions.getByRole('option').count()).toBe(1);
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.waitForURL(`${origin}/tags/sunsetglow`);
    await page.getByRole('heading', { name: '#sunsetglow' }).waitFor();
    const grid = page.getByRole('region', { name: 'Posts tagged #sunsetglow' });
    const thumb = grid.getByRole('link', { name: /^Photo by @ansel.*Last light over the bay/ });
    await thumb.waitFor();
    expect(await thumb.getAttribute('href')).toBe(`/p/${post.postId}`);
    await page.getByRole('button', { name: 'Follow #sunsetglow' }).click();
    await page.getByRole('button', { name: 'Unfollow #sunsetglow' }).waitFor();
    await page.getByText('You follow #sunsetglow').waitFor();
    const viewerToken = JSON.parse((await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('instagram-es.session')))!) as { accessToken: string };
    await expect.poll(async () => ((await h.call('GET', '/api/v1/hashtags/sunsetglow', viewerToken.accessToken)) as { following: boolean }).following).toBe(true);
    await expect.poll(() => thumb.locator('img').evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    // The thumbnail's box is square (the thumb variant's shape) whatever the photo's (1080 × 1350).
    const square = (await thumb.boundingBox())!;
    expect(square.width).toBeCloseTo(square.height, 0);
    await h.shot(page, 'discovery-hashtag');
    // A refused unfollow is rolled back, with the API's message.
    await page.route('**/api/v1/hashtags/*/follow', (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({ status: 429, headers: { 'retry-after': '30', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'too many requests', details: [] } }) })
        : route.continue(),
    );
    await page.getByRole('button', { name: 'Unfollow #sunsetglow' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Too many requests. Try again in 30 seconds.');
    await page.getByRole('button', { name: 'Unfollow #sunsetglow' }).waitFor();
    await page.unroute('**/api/v1/hashtags/*/follow');

    // The post, its caption's tag a link; its place's page.
    await thumb.click();
    await page.waitForURL(`${origin}/p/${post.postId}`);
    const card = page.locator(`article[data-post-id="${post.postId}"]`);
    expect(await card.getByRole('link', { name: '#sunsetglow' }).getAttribute('href')).toBe('/tags/sunsetglow');
    expect(await card.getByRole('link', { name: `@${viewerName}` }).getAttribute('href')).toBe(`/u/${viewerName}`);
    await card.getByRole('link', { name: 'Baker Beach' }).click();
    await page.waitForURL(/\/places\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Baker Beach' }).waitFor();
    await page.getByText('1 post', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Posts at Baker Beach' }).locator(`a[href="/p/${post.postId}"]`).waitFor();
    await page.getByRole('button', { name: 'Top' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Top' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('region', { name: 'Posts at Baker Beach' }).locator(`a[href="/p/${post.postId}"]`).waitFor();
    await h.shot(page, 'discovery-place');

    // An unknown place is the API's 404, shown as such.
    await page.goto(`${origin}/places/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('heading', { name: 'Place not found' }).waitFor();

    // Explore: the week's public posts as a grid.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    await page.getByRole('region', { name: 'Popular posts' }).locator(`a[href="/p/${post.postId}"]`).waitFor();
    await h.shot(page, 'discovery-explore');

    // Collections: a blank name is the API's refusal, shown; then "Trips".
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved' }).click();
    await page.getByRole('heading', { name: 'Saved' }).waitFor();
    await page.getByText('No collections yet').waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('A collection name is 1 to 60 characters, not blank');
    await page.getByLabel('New collection').fill('Trips');
    await page.getByRole('button', { name: 'Create' }).click();
    const tripsTile = page.getByRole('link', { name: /^Trips\s*0 posts/ });
    await tripsTile.waitFor();
    const collectionId = (await tripsTile.getAttribute('href'))!.split('/').at(-1)!;

    // Saved into it from the post page (which also bookmarks the post).
    await page.goto(`${origin}/p/${post.postId}`);
    await page.getByRole('button', { name: 'Save to collection' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save to collection' });
    const trips = dialog.getByRole('button', { name: /Trips/ });
    await expect.poll(() => trips.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => trips.isEnabled()).toBe(true);
    await trips.click();
    await expect.poll(() => trips.textContent()).toContain('Saved here');
    // Enabled again: the API's answer is in (inCollection), not only the optimistic flip.
    await expect.poll(() => trips.isEnabled()).toBe(true);
    expect(await trips.getAttribute('aria-pressed')).toBe('true');
    await h.shot(page, 'discovery-save');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await card.getByRole('button', { name: 'Remove bookmark' }).waitFor();

    // The collection's page: the post; renamed; the post taken out; deleted after a confirmation.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved' }).click();
    await page.getByRole('link', { name: /^Trips\s*1 post/ }).click();
    await page.waitForURL(`${origin}/saved/${collectionId}`);
    await page.getByRole('heading', { name: 'Trips' }).waitFor();
    await page.getByRole('region', { name: 'Posts in Trips' }).locator(`a[href="/p/${post.postId}"]`).waitFor();
    await h.shot(page, 'discovery-collections');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Collection name').fill('Trips 2026');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Trips 2026' }).waitFor();
    await expect.poll(async () => ((await h.call('GET', `/api/v1/collections/${collectionId}`, viewerToken.accessToken)) as { name: string }).name).toBe('Trips 2026');
    await page.getByRole('button', { name: `Remove post by ${authorName} from this collection` }).click();
    await page.getByText('No posts in this collection yet').waitFor();
    // The server's word, then a reload shows the same (the reload forgets the client's last position).
    await expect.poll(async () => ((await h.call('GET', `/api/v1/collections/${collectionId}`, viewerToken.accessToken)) as { postCount: number }).postCount).toBe(0);
    await page.reload();
    await page.getByText('No posts in this collection yet').waitFor();
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${origin}/saved`);
    await page.getByText('No collections yet').waitFor();
    expect(((await h.call('GET', '/api/v1/collections', viewerToken.accessToken)) as { items: unknown[] }).items).toEqual([]);

    expectCleanRun(h, [page, authorPage]);
  });
});
