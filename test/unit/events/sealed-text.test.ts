import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { masterKeyOf } from '../../../events/personal-data/key-store.js';
import { isSealedText, open, seal, SEALED_PREFIX, SealedTextError } from '../../../events/personal-data/sealed-text.js';

// The sealed form of personal data (events/personal-data/sealed-text.ts): what is sealed opens
// with the same key in the same place and nowhere else; any change to the text is detected.

const key = randomBytes(32);

describe('sealed text', () => {
  it('opens to what was sealed, for any text (rule: seal then open is the identity)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, where) => {
        const sealed = seal(key, text, where);
        expect(sealed.startsWith(SEALED_PREFIX)).toBe(true);
        expect(isSealedText(sealed)).toBe(true);
        expect(open(key, sealed, where).toString('utf8')).toBe(text);
      }),
    );
  });

  it('never shows the plaintext, and seals the same text differently each time', () => {
    const a = seal(key, 'Ann Smith', 'here');
    expect(a).not.toContain('Ann');
    expect(Buffer.from(a.slice(SEALED_PREFIX.length), 'base64url').toString('latin1')).not.toContain('Ann');
    expect(seal(key, 'Ann Smith', 'here')).not.toBe(a);
  });

  it('refuses any changed byte (rule: a tampered text never opens)', () => {
    const sealed = seal(key, 'a caption of some length', 'event|1');
    const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const changed = Buffer.from(bytes);
        changed[index] = changed[index]! ^ flip;
        expect(() => open(key, SEALED_PREFIX + changed.toString('base64url'), 'event|1')).toThrow(SealedTextError);
      }),
    );
  });

  it('does not open elsewhere, under another key, truncated, or without its prefix', () => {
    const sealed = seal(key, 'text', 'event|1');
    expect(() => open(key, sealed, 'event|2')).toThrow(SealedTextError);
    expect(() => open(randomBytes(32), sealed, 'event|1')).toThrow(SealedTextError);
    expect(() => open(key, sealed.slice(0, SEALED_PREFIX.length + 10), 'event|1')).toThrow(SealedTextError);
    expect(() => open(key, sealed.slice(SEALED_PREFIX.length), 'event|1')).toThrow(SealedTextError);
    expect(() => open(key, 'enc:v2:' + sealed.slice(SEALED_PREFIX.length), 'event|1')).toThrow(SealedTextError);
  });

  it('derives one master key per secret, named by an id that is not the key', () => {
    const a = masterKeyOf('s'.repeat(32));
    expect(masterKeyOf('s'.repeat(32))).toEqual(a);
    expect(a.key).toHaveLength(32);
    expect(masterKeyOf('t'.repeat(32)).id).not.toBe(a.id);
    expect(a.id).not.toContain(a.key.toString('base64url').slice(0, 16));
  });
});
