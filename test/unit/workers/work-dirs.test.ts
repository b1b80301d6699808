import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ABANDONED_WORK_DIR_MS, removeAbandonedWorkDirs, WORK_DIR_PREFIX } from '../../../workers/media/process-upload.js';

// A worker SIGKILLed mid-file runs no `finally`: its work folder (the original, a transcoded
// video) stays in the temporary directory until the next start of the media workers removes it.
describe('abandoned work folders', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are removed once untouched for an hour; folders in work, and anything not ours, are kept', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ig-work-dirs-'));
    const now = new Date();
    const aged = new Date(now.getTime() - ABANDONED_WORK_DIR_MS - 60_000);
    const abandoned = join(dir, `${WORK_DIR_PREFIX}dead`);
    await mkdir(abandoned);
    await writeFile(join(abandoned, 'original'), 'bytes');
    await utimes(abandoned, aged, aged);
    await mkdir(join(dir, `${WORK_DIR_PREFIX}in-work`));
    const someoneElses = join(dir, 'media-of-another-program');
    await mkdir(someoneElses);
    await utimes(someoneElses, aged, aged);
    const file = join(dir, `${WORK_DIR_PREFIX}a-file`);
    await writeFile(file, 'not a folder');
    await utimes(file, aged, aged);

    expect(await removeAbandonedWorkDirs(dir, now)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([`${WORK_DIR_PREFIX}a-file`, `${WORK_DIR_PREFIX}in-work`, 'media-of-another-program']);
  });
});
