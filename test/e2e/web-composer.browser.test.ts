import { existsSync } from 'node:fs';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FFMPEG_PATH } from '../../media/processing/ffmpeg.js';
import { demoImage } from '../../scripts/demo-images.js';
import { makeVideo, scratchFolder, writeFixture } from '../support/media-fixtures.js';
import { s3TestSettings } from '../support/s3.js';
import { expectCleanRun, startWebHarness, type WebHarness } from '../support/web-browser.js';

// The composer (/new) in Chromium against the real API (test/support/web-browser.ts): A picks a
// video and a real JPEG; each goes through the presigned upload flow with its progress bar to
// `ready`; a file that is no picture is rejected with the API's reason; an eleventh file is
// refused; the photo is moved first, B is tagged on it at a clicked point, an unknown account too
// (Share shows the API's refusal naming the tag's field, the tag is removed); the caption gets a
// suggested hashtag and mention with the keyboard, the location a suggested place; Share opens the
// post page with caption, place and tag, and the video plays inline there; B sees the post in the
// home feed.

const chromiumPath = inject('chromiumPath');
// The media worker transcodes with the ffmpeg of @ffmpeg-installer (README "Media"); without it a video is rejected.
const hasFfmpeg = existsSync(FFMPEG_PATH);

type PostAnswer = { caption: string; hashtags: string[]; mentions: string[]; location?: { name: string }; media: { type: string; url: string; tags?: { username: string; x: number; y: number }[] }[] };

describe.skipIf(!chromiumPath)('the composer in Chromium', () => {
  let h: WebHarness;
  let folder: Awaited<ReturnType<typeof scratchFolder>>;
  beforeAll(async () => {
    h = await startWebHarness(chromiumPath);
    folder = await scratchFolder('composer-');
  });
  afterAll(async () => {
    await h?.close();
    await folder?.remove();
  });

  it('uploads a photo and a video with progress, tags, suggests hashtags, mentions and a place, shares; the follower sees it', async () => {
    const { origin } = h;
    const stamp = Date.now().toString(36).slice(-5);
    const authorName = `ada${stamp}`;
    const friendName = `bob${stamp}`;
    const tag = `golden${stamp}`;
    const placeName = `Harbour of Lisbon ${stamp}`;
    const { page } = await h.newPage();
    const { page: friendPage } = await h.newPage();
    const authorToken = await h.registerThroughUi(page, authorName, 'Ada Author');
    const friendToken = await h.registerThroughUi(friendPage, friendName, 'Bob Friend');
    await h.call('POST', `/api/v1/users/${authorName}/follow`, friendToken);

    // An earlier post carries the hashtag and the place, so that search knows both (search is a projection: read with its position).
    const earlier = (await h.call('POST', '/api/v1/posts', authorToken, { caption: `warming up #${tag}`, media: [{ mediaId: await h.upload(authorToken, 11, 600, 400) }], location: { name: placeName, lat: 38.7, lon: -9.14 } })) as { position: string };
    await expect
      .poll(async () => ((await h.call('GET', `/api/v1/search/autocomplete?q=%23${tag.slice(0, 8)}&minPosition=${earlier.position}`, authorToken)) as { hashtags: { tag: string }[] }).hashtags.map((found) => found.tag), { timeout: 15_000 })
      .toContain(tag);
    await expect.poll(async () => ((await h.call('GET', `/api/v1/search/autocomplete?q=%40${friendName}`, authorToken)) as { users: { username: string }[] }).users.map((found) => found.username), { timeout: 15_000 }).toContain(friendName);

    const photo = await writeFixture(folder.path, 'harbour.jpg', await demoImage(21, 1080, 1350));
    const video = hasFfmpeg ? await makeVideo(folder.path, 'waves.mp4', { seconds: 2, width: 320, height: 240 }) : null;

    await page.getByRole('link', { name: 'New post' }).click();
    await page.waitForURL(`${origin}/new`);
    await page.getByRole('heading', { name: 'New post' }).waitFor();
    const share = page.getByRole('button', { name: 'Share' });
    expect(await share.isDisabled()).toBe(true);
    await h.shot(page, 'composer-empty');

    // The photo's first PUT to the storage loses its connection: the file says so and offers a retry.
    let cut = 0;
    await page.route('**/media-files/**', async (route: Route) => {
      if (route.request().method() === 'PUT' && route.request().headers()['content-type'] === 'image/jpeg' && cut++ === 0) return route.abort('connectionreset');
      return route.continue();
    });
    const picker = page.getByLabel('Add photos or videos');
    await picker.setInputFiles(video ? [video, photo] : [photo]);
    const items = page.getByRole('list', { name: 'Photos and videos' }).locator('li.composer-item');
    const photoItem = page.getByRole('listitem', { name: /: harbour\.jpg$/ });
    await photoItem.waitFor();
    await photoItem.getByText('Upload failed', { exact: true }).waitFor();
    expect(await photoItem.getByRole('alert').textContent()).toContain('The upload failed. Check your network and try again.');
    await photoItem.getByRole('button', { name: 'Try again' }).click();
    const progress = photoItem.getByRole('progressbar', { name: 'Upload of harbour.jpg' });
    await progress.waitFor();
    await photoItem.getByText('Ready', { exact: true }).waitFor({ timeout: 20_000 });
    await page.unroute('**/media-files/**');
    expect(cut).toBe(2);
    // The bar ends full, and the preview is the API's processed photo in a box of its aspect ratio (1080 × 1350).
    expect(await progress.evaluate((bar) => { const { value, max } = bar as unknown as { value: number; max: number }; return value === max && max > 0; })).toBe(true);
    const preview = photoItem.getByRole('img', { name: /harbour\.jpg/ });
    await expect.poll(() => preview.evaluate((image) => (image as unknown as { currentSrc: string }).currentSrc)).toMatch(/\/media-files\//);
    const previewBox = (await photoItem.locator('.media').boundingBox())!;
    expect(previewBox.width / previewBox.height).toBeCloseTo(1080 / 1350, 1);

    // A file that is no picture: uploaded, then rejected by the worker with its reason; removed.
    await picker.setInputFiles([{ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('just some text, not a picture\n') }]);
    const notes = page.getByRole('listitem', { name: /: notes\.jpg$/ });
    await notes.getByText('Rejected', { exact: true }).waitFor({ timeout: 20_000 });
    // The worker's own words (media/processing/process-media.ts), as GET /api/v1/media/{id} answers them.
    expect(await notes.getByRole('alert').textContent()).toContain('the bytes are not a JPEG, PNG, WebP, GIF, HEIC, AVIF, MP4, MOV or WebM file');
    expect(await share.isDisabled()).toBe(true);
    await notes.getByRole('button', { name: 'Remove notes.jpg' }).click();
    await notes.waitFor({ state: 'detached' });

    // A file that is no photo or video by its type is refused before any upload.
    await picker.setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('a note') }]);
    await page.getByRole('alert').filter({ hasText: 'Only photos and videos can be posted: notes.txt is not one.' }).waitFor();
    // More than ten in all: refused with a message, nothing added.
    const spare = await demoImage(3, 64, 64);
    await picker.setInputFiles(Array.from({ length: 10 }, (_, at) => ({ name: `extra-${at}.jpg`, mimeType: 'image/jpeg', buffer: spare })));
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'at most 10' }).count()).toBe(1);
    expect(await items.count()).toBe(video ? 2 : 1);

    if (video) {
      // The video was picked first: move the photo before it.
      const videoItem = page.getByRole('listitem', { name: /: waves\.mp4$/ });
      await videoItem.getByText('Ready', { exact: true }).waitFor({ timeout: 45_000 });
      await photoItem.getByRole('button', { name: 'Move harbour.jpg earlier' }).click();
      await page.getByRole('listitem', { name: 'Photo 1: harbour.jpg' }).waitFor();
      await page.getByRole('listitem', { name: 'Video 2: waves.mp4' }).waitFor();
      // The focus stays with the moved file (on its other button: it cannot go earlier now).
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label'))).toBe('Move harbour.jpg later');
      expect(await videoItem.locator('video').getAttribute('src')).toMatch(/\/media-files\//);
    }
    await page.evaluate('window.scrollTo(0, 0)');
    await h.shot(page, 'composer-ready');

    // Tags: a click on the photo at a point, then the person, from the suggestions.
    const target = photoItem.getByRole('button', { name: /^Tag someone on Photo 1/ });
    const targetBox = (await target.boundingBox())!;
    await target.click({ position: { x: targetBox.width * 0.3, y: targetBox.height * 0.6 } });
    const who = page.getByRole('combobox', { name: 'Who is this?' });
    await who.pressSequentially(friendName.slice(0, 5));
    await page.getByRole('option', { name: new RegExp(`^${friendName}`) }).click();
    const tagged = photoItem.getByRole('list', { name: /^People tagged on Photo 1/ });
    await tagged.getByText(`@${friendName}`).waitFor();
    // A second tag, with the keyboard (Enter on the photo puts it in the middle), for an account that does not exist.
    await target.focus();
    await page.keyboard.press('Enter');
    await who.fill(`ghost${stamp}`);
    await who.press('Enter');
    await tagged.getByText(`@ghost${stamp}`).waitFor();
    await h.shot(page, 'composer-tag');
    // Wider screens: two files a row.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate('window.scrollTo(0, 0)');
    await h.shot(page, 'composer-desktop');
    await page.setViewportSize({ width: 480, height: 900 });

    // The caption: a hashtag and a mention, each picked from the suggestions with the keyboard.
    const caption = page.getByRole('textbox', { name: 'Caption' });
    await caption.click();
    await caption.pressSequentially(`Evening light #${tag.slice(0, 7)}`);
    const hashtagOption = page.getByRole('option', { name: new RegExp(`^#${tag}`) });
    await hashtagOption.waitFor();
    await h.shot(page, 'composer-suggestions');
    await expect.poll(() => caption.getAttribute('aria-activedescendant')).toBe(await hashtagOption.getAttribute('id'));
    await caption.press('ArrowDown');
    await caption.press('ArrowUp');
    await caption.press('Enter');
    await expect.poll(() => caption.inputValue()).toBe(`Evening light #${tag} `);
    await caption.pressSequentially(`with @${friendName.slice(0, 5)}`);
    await page.getByRole('option', { name: new RegExp(`^@${friendName}`) }).waitFor();
    await caption.press('Enter');
    await expect.poll(() => caption.inputValue()).toBe(`Evening light #${tag} with @${friendName} `);

    // The place, from the suggestions (the earlier post's, with its coordinates).
    const place = page.getByRole('combobox', { name: 'Location (optional)' });
    await place.pressSequentially('Harbour of Lisbon');
    await page.getByRole('option', { name: new RegExp(`^${placeName}`) }).waitFor();
    await place.press('Enter');
    expect(await place.inputValue()).toBe(placeName);

    // Share is refused for the unknown account, naming the tag's field; without that tag it goes through.
    await share.click();
    const refusal = page.getByRole('alert').filter({ hasText: 'media.0.tags.1.username' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('No such user');
    expect(page.url()).toBe(`${origin}/new`);
    await photoItem.getByRole('button', { name: `Remove tag @ghost${stamp}` }).click();
    // The post is made, but its answer is lost on the first try and on each of the client's retries
    // (same key each time): Share says the connection failed. A second click sends the same
    // Idempotency-Key (one per draft), so it gets the first post's answer, not 422 MEDIA_ALREADY_ATTACHED.
    const keys: string[] = [];
    let losing = true;
    await page.route('**/api/v1/posts', async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (!losing) return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    });
    await share.click();
    await page.getByRole('alert').filter({ hasText: 'The connection failed' }).waitFor();
    expect(page.url()).toBe(`${origin}/new`);
    const lost = keys.length;
    expect(lost).toBeGreaterThan(1);
    losing = false;
    await share.click();
    await page.waitForURL(/\/p\/[0-9a-f-]{36}$/);
    await page.unroute('**/api/v1/posts');
    const postId = page.url().split('/p/')[1]!;
    expect(keys.length).toBe(lost + 1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).not.toBe('');

    // The post page: caption, place, the tag on the photo.
    const card = page.locator(`article[data-post-id="${postId}"]`);
    await card.getByText(`Evening light #${tag} with @${friendName}`).waitFor();
    await card.getByText(placeName).waitFor();
    await card.getByRole('button', { name: 'Tagged people (1)' }).click();
    await card.getByRole('list', { name: 'Tagged people' }).getByText(`@${friendName}`).waitFor();
    await h.shot(page, 'composer-shared');
    const saved = (await h.call('GET', `/api/v1/posts/${postId}`, authorToken)) as unknown as PostAnswer;
    expect(saved.caption).toBe(`Evening light #${tag} with @${friendName}`);
    expect(saved.hashtags).toEqual([tag]);
    expect(saved.mentions).toEqual([friendName]);
    expect(saved.location?.name).toBe(placeName);
    expect(saved.media.map((item) => item.type)).toEqual(video ? ['image', 'video'] : ['image']);
    expect(saved.media[0]!.tags).toHaveLength(1);
    expect(saved.media[0]!.tags![0]!.username).toBe(friendName);
    expect(saved.media[0]!.tags![0]!.x).toBeCloseTo(0.3, 1);
    expect(saved.media[0]!.tags![0]!.y).toBeCloseTo(0.6, 1);
    // One post of this draft: the earlier one and this, no other.
    await expect.poll(async () => ((await h.call('GET', `/api/v1/feed/user/${authorName}`, authorToken)) as { items: { id: string }[] }).items.map((item) => item.id), { timeout: 15_000 }).toContain(postId);
    expect(((await h.call('GET', `/api/v1/feed/user/${authorName}`, authorToken)) as { items: { id: string }[] }).items).toHaveLength(2);

    if (video) {
      // The video plays inline: muted, playsinline, with controls and the worker's poster frame.
      expect(await card.getByRole('img', { name: /^Photo by @.* \(1 of 2\)$/ }).count()).toBe(1);
      await card.getByRole('button', { name: 'Next photo' }).click();
      const player = card.locator('video');
      await player.waitFor();
      // Said as a video, not a photo (the carousel labels each item by its own type).
      expect(await player.getAttribute('aria-label')).toMatch(new RegExp(`^Video by @${authorName}: Evening light .* \\(2 of 2\\)$`));
      const attributes = await player.evaluate((element) => {
        const v = element as unknown as { src: string; poster: string; muted: boolean; controls: boolean; playsInline: boolean; canPlayType(type: string): string };
        return { src: v.src, poster: v.poster, muted: v.muted, controls: v.controls, inline: v.playsInline, h264: v.canPlayType('video/mp4; codecs="avc1.42E01E"') };
      });
      expect(attributes).toMatchObject({ muted: true, controls: true, inline: true });
      expect(attributes.src).toMatch(/\/media-files\//);
      expect(attributes.poster).toMatch(/\/media-files\//);
      const played = await player.evaluate(async (element) => {
        const v = element as unknown as { play(): Promise<void>; currentTime: number; readyState: number; error: unknown };
        await v.play().catch(() => undefined);
        return { readyState: v.readyState, error: v.error !== null };
      });
      expect(played.error).toBe(false);
      if (attributes.h264 !== '') {
        await expect.poll(() => player.evaluate((element) => (element as unknown as { currentTime: number }).currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
      }
      h.report['video'] = `H.264 in this Chromium: ${attributes.h264 || 'no'}; readyState after play ${played.readyState}`;
    } else h.report['video'] = 'skipped: no ffmpeg';

    // B sees it in the home feed (the fan-out has it first: read with the post's position).
    await expect.poll(async () => ((await h.call('GET', '/api/v1/feed/home', friendToken)) as { items: { id: string }[] }).items.map((item) => item.id), { timeout: 15_000 }).toContain(postId);
    await friendPage.goto(`${origin}/`);
    const friendCard = friendPage.locator(`article[data-post-id="${postId}"]`);
    await friendCard.getByText(`Evening light #${tag}`).waitFor();
    await friendCard.getByText(placeName).waitFor();
    if (video) {
      // In the feed too, the second item is the video, inline with its poster.
      await friendCard.getByRole('button', { name: 'Next photo' }).click();
      const inFeed = friendCard.locator('video');
      await inFeed.waitFor();
      expect(await inFeed.evaluate((element) => { const v = element as unknown as { poster: string; muted: boolean; playsInline: boolean }; return v.poster !== '' && v.muted && v.playsInline; })).toBe(true);
    }

    expectCleanRun(h, [page, friendPage]);
  });
});

// With S3_BUCKET the presigned URL is the bucket's, another origin than the page's: the page's
// content security policy must let the browser PUT there (and the bucket's CORS must allow it:
// the test S3Proxy's is open).
describe.skipIf(!chromiumPath)('the composer uploading straight to S3', () => {
  let h: WebHarness;
  beforeAll(async () => {
    const s3 = await s3TestSettings();
    h = await startWebHarness(chromiumPath, { media: { s3: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: s3.forcePathStyle } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('puts the photo to the bucket with its progress and shares it', async () => {
    const { origin } = h;
    const { page } = await h.newPage();
    const uploads: string[] = [];
    page.on('request', (request) => request.method() === 'PUT' && uploads.push(new URL(request.url()).origin));
    await h.registerThroughUi(page, `sam${Date.now().toString(36).slice(-5)}`, 'Sam S3');
    await page.goto(`${origin}/new`);
    await page.getByLabel('Add photos or videos').setInputFiles([{ name: 'bucket.jpg', mimeType: 'image/jpeg', buffer: await demoImage(31, 800, 600) }]);
    const item = page.getByRole('listitem', { name: /: bucket\.jpg$/ });
    await item.getByText('Ready', { exact: true }).waitFor({ timeout: 20_000 });
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).not.toBe(origin);
    await page.getByRole('textbox', { name: 'Caption' }).fill('Straight to the bucket');
    await page.getByRole('button', { name: 'Share' }).click();
    await page.waitForURL(/\/p\/[0-9a-f-]{36}$/);
    await page.getByText('Straight to the bucket').waitFor();
    expectCleanRun(h, [page]);
  });
});
