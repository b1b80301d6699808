import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_WIDTHS, planVariantWidths, processMedia, THUMB_SIZE } from '../../../../media/processing/index.js';
import { makeJpeg, scratchFolder, writeFixture } from '../../../support/media-fixtures.js';

// The variant sizing rule (media/processing/image.ts planVariantWidths), as a plan and on real
// images through sharp.

let folder: Awaited<ReturnType<typeof scratchFolder>>;
beforeAll(async () => {
  folder = await scratchFolder('variant-property-');
});
afterAll(async () => {
  await folder.remove();
});

describe('variant sizes', () => {
  it('property: the plan never upscales, never repeats a width, always has one variant, and its widest is min(1080, width)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), (width) => {
        const planned = planVariantWidths(width);
        expect(planned.length).toBeGreaterThanOrEqual(1);
        expect(planned[0]!.width).toBe(Math.min(IMAGE_WIDTHS[0], width));
        expect(new Set(planned.map((variant) => variant.width)).size).toBe(planned.length);
        for (const variant of planned) {
          expect(variant.width).toBeLessThanOrEqual(Number(variant.name));
          expect(variant.width).toBeLessThanOrEqual(width);
          expect(IMAGE_WIDTHS.map(String)).toContain(variant.name);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: every variant is at most its nominal width and keeps the shown aspect ratio within a pixel, whatever the EXIF orientation; the thumb is a square of at most 150 px', async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1300 }), fc.integer({ min: 1, max: 1300 }), fc.integer({ min: 1, max: 8 }), async (width, height, orientation) => {
        const path = await writeFixture(folder.path, `photo-${(count += 1)}.jpg`, await makeJpeg({ width, height, orientation, quality: 70 }));
        const result = await processMedia({ path, declaredType: 'image/jpeg', workDir: folder.path });
        if (result.outcome !== 'processed') throw new Error(`${width}x${height} o${orientation}: ${result.reason} ${result.message}`);
        const shown = orientation >= 5 ? { width: height, height: width } : { width, height };
        expect({ width: result.width, height: result.height }).toEqual(shown);
        for (const variant of result.variants) {
          if (variant.name === 'thumb') {
            expect(variant.width).toBe(variant.height);
            expect(variant.width).toBeLessThanOrEqual(THUMB_SIZE);
            continue;
          }
          expect(variant.width).toBeLessThanOrEqual(Number(variant.name));
          expect(variant.width).toBeLessThanOrEqual(shown.width);
          expect(Math.abs(variant.height - (variant.width * shown.height) / shown.width)).toBeLessThanOrEqual(1);
        }
        expect(Math.max(...result.variants.map((variant) => variant.width))).toBe(Math.min(IMAGE_WIDTHS[0], shown.width));
      }),
      { numRuns: 20 },
    );
  });
});
