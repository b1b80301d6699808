import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoImage } from '../../scripts/demo-images.js';
import { makeVideo } from '../support/media-fixtures.js';
import { expectCleanRun, startWebHarness, type WebHarness } from '../support/web-browser.js';

// Stories in the web client, in Chromium against the real API (test/support/web-browser.ts): Ann
// and Bob register through the UI and follow each other (through the API); Ann posts a story
// through the tray's "Add story" with a real JPEG (upload, processing, story), then a video; Bob's
// tray shows her unseen; Bob opens the viewer (a bar per story, the photo's 5 s and the video's
// length), pauses with Space, taps through to the end and the viewer closes; his tray shows her seen. Ann sees Bob among her story's
// viewers. Bob shares Ann's post to his story with the card's share button; Ann, moving on from
// her own story to Bob's, sees the shared post with "View post" and follows it. Ann deletes a
// story; once her account is private, Bob's share is refused with the API's words. Also: a file that
// is no picture refused in the API's words, focus kept in the viewer and given back, Copy link, and
// the tray while Redis cannot answer (x-degraded).

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('stories in the web client (Chromium)', () => {
  let h: WebHarness;
  let dir: string;
  beforeAll(async () => {
    h = await startWebHarness(chromiumPath);
    dir = await mkdtemp(join(tmpdir(), 'web-stories-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('post a story, see it in the tray, view it, list its viewers, share a post to a story', async () => {
    const stamp = Date.now().toString(36).slice(-5);
    const ann = `ann${stamp}`;
    const bob = `bob${stamp}`;
    const { page: a } = await h.newPage();
    const { context: bContext, page: b } = await h.newPage();
    await bContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.origin });
    const annToken = await h.registerThroughUi(a, ann, 'Ann Author');
    const bobToken = await h.registerThroughUi(b, bob, 'Bob Viewer');
    await h.call('POST', `/api/v1/users/${ann}/follow`, bobToken);
    await h.call('POST', `/api/v1/users/${bob}/follow`, annToken);
    const post = await h.postPhotos(annToken, 'Morning at the lake', [[11, 1080, 1080]]);

    // A file that is no picture: the processing worker's refusal, in the API's words.
    await a.getByLabel('Add story').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are notes, not a photo\n'.repeat(20)) });
    const refusal = a.locator('.stories').getByRole('alert');
    await refusal.waitFor({ timeout: 30_000 });
    // The media's rejection message (GET /media/{id}: `message`), not a generic one.
    expect(await refusal.textContent()).toContain('the bytes are not a JPEG');
    expect(await a.getByRole('button', { name: /^Your story/ }).count()).toBe(0);

    // Ann posts a story through the UI; the bytes and then the first look at the media are held
    // back until each stage (the upload's progress bar, then processing) has been seen.
    const file = join(dir, 'story.jpg');
    await writeFile(file, await demoImage(21, 1080, 1920));
    const hold = async (matches: (url: URL) => boolean, method: string) => {
      let release!: () => void;
      const released = new Promise<void>((done) => (release = done));
      await a.route(matches, async (route: Route) => {
        if (route.request().method() === method) await released;
        await route.continue();
      });
      return release;
    };
    const bytes = (url: URL) => url.pathname.startsWith('/media-files/');
    const mediaLook = (url: URL) => /^\/api\/v1\/media\/[0-9a-f-]{36}$/.test(url.pathname);
    const releaseBytes = await hold(bytes, 'PUT');
    const releaseLook = await hold(mediaLook, 'GET');
    await a.getByLabel('Add story').setInputFiles(file);
    await a.getByRole('progressbar', { name: 'Story upload' }).waitFor();
    await a.getByText(/^Uploading your story… \d+%$/).waitFor();
    releaseBytes();
    await a.getByText('Processing your story…').waitFor();
    expect(await a.getByRole('progressbar', { name: 'Story upload' }).count()).toBe(0);
    await a.unroute(bytes);
    releaseLook();
    await a.getByText('Your story is posted.').waitFor({ timeout: 30_000 });
    expect(await refusal.count()).toBe(0);
    await a.unroute(mediaLook);
    await a.getByRole('button', { name: 'Your story, 1 story' }).waitFor();
    // And a 3-second video as her second story.
    await a.getByLabel('Add story').setInputFiles(await makeVideo(dir, 'story.mp4', { seconds: 3, faststart: true }));
    await a.getByRole('button', { name: 'Your story, 2 stories' }).waitFor({ timeout: 30_000 });
    const annStories = (await h.call('GET', `/api/v1/users/${ann}/stories`, bobToken)) as { items: { id: string; media: { type: string; durationMs?: number } }[] };
    expect(annStories.items.map((item) => item.media.type)).toEqual(['image', 'video']);
    const storyId = annStories.items[0]!.id;

    // Bob's tray: Ann, unseen.
    await b.reload();
    const annInTray = b.getByRole('button', { name: `Stories of @${ann}, 2 new` });
    await annInTray.waitFor();
    expect(await annInTray.getAttribute('data-unseen')).toBe('true');
    await h.shot(b, 'stories-tray');

    // The viewer: a bar per story, the first filling over 5 s; the photo; Space pauses.
    await annInTray.click();
    const viewer = b.getByRole('dialog', { name: `Stories of @${ann}` });
    await viewer.waitFor();
    await b.keyboard.press('Space');
    await viewer.getByRole('button', { name: 'Play' }).waitFor();
    const photo = viewer.getByRole('img', { name: `Story by @${ann}` });
    await expect.poll(() => photo.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await viewer.locator('.story-bar').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-state')))).toEqual(['current', 'next']);
    const fill = viewer.locator('.story-bar[data-state="current"] .story-fill');
    const animation = () =>
      fill.evaluate((element) => {
        const computed = (globalThis as unknown as { getComputedStyle(e: unknown): { animationName: string; animationDuration: string; animationPlayState: string } }).getComputedStyle(element);
        return { name: computed.animationName, seconds: Number.parseFloat(computed.animationDuration), state: computed.animationPlayState };
      });
    expect(await animation()).toEqual({ name: 'story-fill', seconds: 5, state: 'paused' });
    await h.shot(b, 'stories-viewer');
    // Focus stays in the dialog: Tab from its last control comes back to its first.
    const tabStops = await viewer.locator('button, a[href]').count();
    for (let step = 0; step <= tabStops; step++) {
      await b.keyboard.press('Tab');
      expect(await b.evaluate(() => Boolean((globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } } }).document.activeElement.closest('[role="dialog"]')))).toBe(true);
    }
    // The view is recorded (the author's viewers list has Bob).
    await expect.poll(async () => ((await h.call('GET', `/api/v1/stories/${storyId}/viewers`, annToken)) as { items: { user: { username: string } }[] }).items.map((v) => v.user.username)).toEqual([bob]);
    // A tap on the right half is the next story: her video, its bar as long as the video.
    await viewer.getByRole('button', { name: 'Next story' }).click();
    await viewer.getByLabel(`Story by @${ann}`).and(viewer.locator('video')).waitFor();
    await b.keyboard.press('Space'); // focus is on the tap zone: Space pauses
    await viewer.getByRole('button', { name: 'Play' }).waitFor();
    expect(await viewer.locator('.story-bar').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-state')))).toEqual(['done', 'current']);
    const video = await animation();
    // Chromium decodes the processed H.264 (its first frame at least).
    await expect.poll(() => viewer.locator('video').evaluate((element) => (element as unknown as { readyState: number }).readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(video.state).toBe('paused');
    expect(Math.abs(video.seconds - 3)).toBeLessThan(0.3);
    // Past her last story the viewer closes, and the tray shows her seen.
    await viewer.getByRole('button', { name: 'Next story' }).click();
    await viewer.waitFor({ state: 'detached' });
    const seen = b.getByRole('button', { name: `Stories of @${ann}, all seen` });
    await seen.waitFor();
    expect(await seen.getAttribute('data-unseen')).toBe('false');
    // Focus is back on the control that opened the viewer.
    expect(await seen.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);

    // Bob shares Ann's post to his story from the post's card.
    const card = b.locator(`article[data-post-id="${post.postId}"]`);
    await card.getByRole('button', { name: 'Share' }).click();
    await card.getByRole('button', { name: 'Share to your story' }).click();
    await card.getByText('Shared to your story.').waitFor();
    await b.getByRole('button', { name: 'Your story, 1 story' }).waitFor();
    // Copy link: the post's address on the clipboard.
    await card.getByRole('button', { name: 'Share' }).click();
    await card.getByRole('button', { name: 'Copy link' }).click();
    await card.getByText('Link copied.').waitFor();
    expect(await b.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(`${h.origin}/p/${post.postId}`);

    // Ann: her own story lists Bob as a viewer.
    await a.reload();
    await a.getByRole('button', { name: 'Your story, 2 stories' }).click();
    const own = a.getByRole('dialog', { name: 'Your story' });
    await own.waitFor();
    // A held press pauses, and its release is no tap: still her first story.
    const nextZone = own.getByRole('button', { name: 'Next story' });
    const zone = (await nextZone.boundingBox())!;
    await a.mouse.move(zone.x + zone.width / 2, zone.y + zone.height / 2);
    await a.mouse.down();
    await own.getByText('Paused', { exact: true }).waitFor();
    await a.waitForTimeout(400);
    await a.mouse.up();
    expect(await own.getByRole('img', { name: `Story by @${ann}` }).count()).toBe(1);
    // Space on a tap zone pauses rather than pressing it.
    await nextZone.focus();
    await a.keyboard.press('Space');
    await own.getByRole('button', { name: 'Play' }).waitFor();
    expect(await own.getByRole('img', { name: `Story by @${ann}` }).count()).toBe(1);
    await own.getByRole('button', { name: 'Viewers' }).click();
    const viewers = own.getByRole('region', { name: 'Viewers' });
    await viewers.getByText(bob, { exact: true }).waitFor();
    await h.shot(a, 'stories-viewers');
    await a.keyboard.press('Escape');
    await viewers.waitFor({ state: 'detached' });
    // ArrowRight past her own two stories: Bob's, which shows Ann's post with "View post".
    await own.getByRole('button', { name: 'Play' }).focus();
    await a.keyboard.press('ArrowRight');
    await own.locator('video').waitFor();
    await a.keyboard.press('ArrowRight');
    const bobs = a.getByRole('dialog', { name: `Stories of @${bob}` });
    await bobs.waitFor();
    await a.keyboard.press('Space'); // on the Play/Pause button, which keeps focus: pressed
    await bobs.getByRole('button', { name: 'Play' }).waitFor();
    await bobs.getByRole('img', { name: `Post by @${ann}, shared to @${bob}'s story` }).waitFor();
    await bobs.getByRole('link', { name: 'View post' }).click();
    await a.waitForURL(`${h.origin}/p/${post.postId}`);
    await bobs.waitFor({ state: 'detached' });

    // Ann deletes her photo story: the viewer shows the one left, and so does her tray.
    await a.goto(`${h.origin}/`);
    await a.getByRole('button', { name: 'Your story, 2 stories' }).click();
    await own.getByRole('img', { name: `Story by @${ann}` }).waitFor();
    await own.getByRole('button', { name: 'Delete story' }).click();
    await own.getByRole('button', { name: 'Delete', exact: true }).click();
    await own.locator('video').waitFor();
    expect(await own.locator('.story-bar').count()).toBe(1);
    await a.keyboard.press('Escape');
    await own.waitFor({ state: 'detached' });
    await a.getByRole('button', { name: 'Your story, 1 story' }).waitFor();
    await a.getByRole('button', { name: `Stories of @${bob}, all seen` }).waitFor();
    const left = (await h.call('GET', `/api/v1/users/${ann}/stories`, annToken)) as { items: { id: string }[] };
    expect(left.items.map((item) => item.id)).toEqual([annStories.items[1]!.id]);

    // A private account's post cannot be shared by anyone else: the API's words, on the card.
    await h.call('PUT', `/api/v1/users/${ann}`, annToken, { private: true });
    await b.reload();
    await card.getByRole('button', { name: 'Share' }).click();
    await card.getByRole('button', { name: 'Share to your story' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe("Only its author may share a private account's post");

    // While Redis cannot answer, the tray is empty with x-degraded: stories, and says so.
    await b.route('**/api/v1/stories/feed*', (route: Route) =>
      route.fulfill({ status: 200, headers: { 'content-type': 'application/json', 'x-degraded': 'stories' }, body: JSON.stringify({ items: [] }) }),
    );
    await b.reload();
    await b.getByText('Stories are unavailable right now. Try again in a moment.').waitFor();
    await b.getByLabel('Add story').waitFor({ state: 'attached' });
    await b.unroute('**/api/v1/stories/feed*');

    expectCleanRun(h, [a, b]);
  });
});
