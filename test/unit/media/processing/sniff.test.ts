import { describe, expect, it } from 'vitest';
import { declaredKind, sniffMediaType } from '../../../../media/processing/sniff.js';
import { makeAvif, makeGif, makeJpeg, makePng, makeWebp, PDF, SVG, TEXT } from '../../../support/media-fixtures.js';

// Type from the bytes (media/processing/sniff.ts): magic numbers, ftyp brands, the EBML DocType.

const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const box = Buffer.alloc(8 + brands.length);
  box.writeUInt32BE(box.length, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(brands, 8, 'latin1');
  return Buffer.concat([box, Buffer.from([0, 0, 0, 8]), Buffer.from('mdat', 'latin1')]);
};

const ebml = (docType: string): Buffer =>
  Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType, 'latin1'), Buffer.alloc(16)]);

describe('sniffMediaType: the type comes from the bytes', () => {
  it('recognises the images sharp makes: JPEG, PNG, WebP, GIF, AVIF', async () => {
    expect(sniffMediaType(await makeJpeg({ width: 8, height: 8 }))).toEqual({ kind: 'image', contentType: 'image/jpeg' });
    expect(sniffMediaType(await makePng({ width: 8, height: 8 }))).toEqual({ kind: 'image', contentType: 'image/png' });
    expect(sniffMediaType(await makeWebp({ width: 8, height: 8 }))).toEqual({ kind: 'image', contentType: 'image/webp' });
    expect(sniffMediaType(await makeGif({ width: 8, height: 8 }))).toEqual({ kind: 'image', contentType: 'image/gif' });
    expect(sniffMediaType(await makeAvif({ width: 8, height: 8 }))).toEqual({ kind: 'image', contentType: 'image/avif' });
  });

  it('reads ftyp brands: HEIC, HEIF, AVIF stills; MP4 and QuickTime videos', () => {
    expect(sniffMediaType(ftyp('heic', 'mif1', 'heic'))?.contentType).toBe('image/heic');
    expect(sniffMediaType(ftyp('mif1', 'heic'))?.contentType).toBe('image/heic');
    expect(sniffMediaType(ftyp('mif1', 'avif', 'miaf'))?.contentType).toBe('image/avif');
    expect(sniffMediaType(ftyp('mif1', 'miaf'))?.contentType).toBe('image/heif');
    for (const brand of ['isom', 'mp41', 'mp42', 'avc1', 'iso5', 'M4V ', 'dash']) expect(sniffMediaType(ftyp(brand)), brand).toEqual({ kind: 'video', contentType: 'video/mp4' });
    expect(sniffMediaType(ftyp('qt  ', 'qt  '))).toEqual({ kind: 'video', contentType: 'video/quicktime' });
  });

  it('takes EBML with the DocType webm as WebM, and not other Matroska', () => {
    expect(sniffMediaType(ebml('webm'))).toEqual({ kind: 'video', contentType: 'video/webm' });
    expect(sniffMediaType(ebml('matroska'))).toBeNull();
  });

  it('knows nothing else: SVG, text, PDF, an M4A audio file, an empty file, a few bytes', () => {
    for (const bytes of [SVG, TEXT, PDF, ftyp('M4A ', 'M4A '), Buffer.alloc(0), Buffer.from([0xff, 0xd8])]) expect(sniffMediaType(bytes)).toBeNull();
  });

  it('tells the kind of a declared content type', () => {
    expect(declaredKind('image/png')).toBe('image');
    expect(declaredKind('Video/MP4')).toBe('video');
    expect(declaredKind('application/pdf')).toBeNull();
  });
});
