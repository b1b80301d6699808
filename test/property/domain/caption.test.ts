import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPTION_MAX_LENGTH, MAX_HASHTAGS, MAX_MENTIONS, codePointLength } from '../../../kernel/limits.js';
import { parseCaption } from '../../../domain/post/caption.js';
import { domainErrorOf } from '../../support/decider-spec.js';

const runs = { numRuns: 100 };

// Code points of several widths, none of them whitespace, '#' or '@', so the length is all that varies.
const codePoint = fc.constantFrom('a', 'Z', '7', 'é', '日', 'ß', '😀', '𝒳', '🌅', '.');
const textOfLength = (length: number) => fc.array(codePoint, { minLength: length, maxLength: length }).map((cps) => cps.join(''));
const nearLimit = (limit: number, spread: number) =>
  fc.oneof(fc.integer({ min: limit - 2, max: limit + 2 }), fc.integer({ min: 0, max: limit + spread }));

/** `count` distinct names, some written again in upper case, shuffled: repeats must not count twice. */
const distinctTokens = (count: number, name: fc.Arbitrary<string>, sigil: string) =>
  fc
    .uniqueArray(name, { minLength: count, maxLength: count, selector: (n) => n.toLowerCase() })
    .chain((names) => {
      const repeats = names.length === 0 ? fc.constant([]) : fc.array(fc.constantFrom(...names).map((n) => n.toUpperCase()), { maxLength: 5 });
      return repeats.chain((extra) => fc.shuffledSubarray([...names, ...extra], { minLength: names.length + extra.length }));
    })
    .map((tokens) => tokens.map((t) => `${sigil}${t}`).join(' '));

describe('caption limits (docs/rules.md)', () => {
  it('a caption of at most 2,200 characters is accepted, and one past it is refused with CAPTION_TOO_LONG', () => {
    fc.assert(
      fc.property(nearLimit(CAPTION_MAX_LENGTH, 100).chain(textOfLength), (text) => {
        const length = codePointLength(text);
        if (length <= CAPTION_MAX_LENGTH) {
          expect(parseCaption(text).caption).toBe(text);
        } else {
          const error = domainErrorOf(() => parseCaption(text));
          expect([error.status, error.code]).toEqual([400, 'CAPTION_TOO_LONG']);
        }
      }),
      runs,
    );
  });

  it('a caption with at most 30 distinct hashtags is accepted, with 31 or more refused with TOO_MANY_HASHTAGS', () => {
    const hashtagName = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
    fc.assert(
      fc.property(
        nearLimit(MAX_HASHTAGS, 10).chain((count) => fc.tuple(fc.constant(count), distinctTokens(count, hashtagName, '#'))),
        ([count, text]) => {
          if (count <= MAX_HASHTAGS) {
            expect(parseCaption(text).hashtags).toHaveLength(count);
          } else {
            const error = domainErrorOf(() => parseCaption(text));
            expect([error.status, error.code]).toEqual([400, 'TOO_MANY_HASHTAGS']);
          }
        },
      ),
      runs,
    );
  });

  it('a caption with at most 20 distinct mentions is accepted, with 21 or more refused with TOO_MANY_MENTIONS', () => {
    const username = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
    fc.assert(
      fc.property(
        nearLimit(MAX_MENTIONS, 10).chain((count) => fc.tuple(fc.constant(count), distinctTokens(count, username, '@'))),
        ([count, text]) => {
          if (count <= MAX_MENTIONS) {
            expect(parseCaption(text).mentions).toHaveLength(count);
          } else {
            const error = domainErrorOf(() => parseCaption(text));
            expect([error.status, error.code]).toEqual([400, 'TOO_MANY_MENTIONS']);
          }
        },
      ),
      runs,
    );
  });
});
