import { describe, expect, it } from 'vitest';
import { CAPTION_MAX_LENGTH, HASHTAG_MAX_LENGTH } from '../../../kernel/limits.js';
import { extractHashtags, extractMentions, parseCaption } from '../../../domain/post/caption.js';
import { domainErrorOf } from '../../support/decider-spec.js';

describe('extractHashtags', () => {
  it('finds hashtags without the #, lowercased, in order', () =>
    expect(extractHashtags('Golden #Sunset at the #beach')).toEqual(['sunset', 'beach']));
  it('keeps each hashtag once, at its first appearance, whatever its case', () =>
    expect(extractHashtags('#b #A #b #a #B')).toEqual(['b', 'a']));
  it('takes letters of any script, digits and underscores, and stops at anything else', () =>
    expect(extractHashtags('#東京2025 #café_au_lait! #día-uno #naïve')).toEqual(['東京2025', 'café_au_lait', 'día', 'naïve']));
  it('keeps a combining accent with its letter', () => expect(extractHashtags('#cafe\u0301 ok')).toEqual(['cafe\u0301']));
  it('splits hashtags written together', () => expect(extractHashtags('#one#two')).toEqual(['one', 'two']));
  it('ignores a lone # and a # before punctuation or emoji', () => expect(extractHashtags('# #! #🌅 C#')).toEqual([]));
  it('takes a #word of at most 100 characters as a hashtag, and a longer one as caption text only', () => {
    const at = '가'.repeat(HASHTAG_MAX_LENGTH);
    expect(extractHashtags(`#${at} #${at}나 #ok`)).toEqual([at, 'ok']);
    expect(parseCaption(`#${'가'.repeat(2199)}`).hashtags).toEqual([]);
  });
});

describe('extractMentions', () => {
  it('finds mentions without the @, lowercased, each once', () =>
    expect(extractMentions('with @Ann and @bob.smith, and @ann again')).toEqual(['ann', 'bob.smith']));
  it('does not read an email address as a mention', () =>
    expect(extractMentions('write to ann@example.com or a.b+c@d.io, cc @carl')).toEqual(['carl']));
  it('drops a sentence-ending period', () => expect(extractMentions('thanks @ann.')).toEqual(['ann']));
  it('accepts a 30-character name and ignores a longer run rather than cutting it', () => {
    const thirty = 'a'.repeat(30);
    expect(extractMentions(`@${thirty} @${thirty}b`)).toEqual([thirty]);
  });
  it('stops at characters a username cannot hold', () => expect(extractMentions('(@ann) @bob! @café')).toEqual(['ann', 'bob', 'caf']));
  it('ignores a lone @', () => expect(extractMentions('meet @ 5')).toEqual([]));
});

describe('parseCaption', () => {
  it('returns the caption with its hashtags and mentions', () =>
    expect(parseCaption('Sunset with @Ann #Beach')).toEqual({ caption: 'Sunset with @Ann #Beach', hashtags: ['beach'], mentions: ['ann'] }));
  it('drops surrounding whitespace', () => expect(parseCaption('  hi \n').caption).toBe('hi'));
  it('accepts an empty caption', () => expect(parseCaption('')).toEqual({ caption: '', hashtags: [], mentions: [] }));
  it('counts code points, so 2,200 emoji fit', () => expect(parseCaption('😀'.repeat(CAPTION_MAX_LENGTH)).caption).toHaveLength(4400));

  it('refuses 2,201 characters with 400 CAPTION_TOO_LONG on the caption field', () => {
    const error = domainErrorOf(() => parseCaption('x'.repeat(2201)));
    expect([error.status, error.code, error.details.map((d) => d.path)]).toEqual([400, 'CAPTION_TOO_LONG', ['caption']]);
  });
  it('refuses 31 distinct hashtags but accepts 30 used twice', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `#t${i}`).join(' ');
    expect(parseCaption(`${tags(30)} ${tags(30)}`).hashtags).toHaveLength(30);
    const error = domainErrorOf(() => parseCaption(tags(31)));
    expect([error.status, error.code, error.details[0]?.path]).toEqual([400, 'TOO_MANY_HASHTAGS', 'caption']);
  });
  it('refuses 21 distinct mentions but accepts 20 used twice', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `@u${i}`).join(' ');
    expect(parseCaption(`${names(20)} ${names(20)}`).mentions).toHaveLength(20);
    const error = domainErrorOf(() => parseCaption(names(21)));
    expect([error.status, error.code, error.details[0]?.path]).toEqual([400, 'TOO_MANY_MENTIONS', 'caption']);
  });
});
