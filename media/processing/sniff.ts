import { open } from 'node:fs/promises';

// Type from the bytes, never from the declared type (docs/rules.md "Media"): the first bytes of a
// file say what it is. Only the kinds the platform processes are recognised; anything else (SVG,
// text, PDF, TIFF, audio, Matroska that is not WebM, ...) is `null`, which processing rejects as
// MEDIA_UNSUPPORTED.

export type MediaKind = 'image' | 'video';

export interface SniffedType {
  kind: MediaKind;
  /** One of kernel/limits.ts IMAGE_CONTENT_TYPES or VIDEO_CONTENT_TYPES. */
  contentType: string;
}

/** How many leading bytes sniffing reads: enough for an ftyp box's brands and a WebM's EBML header. */
export const SNIFF_BYTES = 4096;

const image = (contentType: string): SniffedType => ({ kind: 'image', contentType });
const video = (contentType: string): SniffedType => ({ kind: 'video', contentType });

const startsWith = (bytes: Buffer, magic: readonly number[], at = 0): boolean =>
  bytes.length >= at + magic.length && magic.every((byte, i) => bytes[at + i] === byte);
const ascii = (bytes: Buffer, at: number, length: number): string => bytes.subarray(at, at + length).toString('latin1');

// ISO base media file format brands (the `ftyp` box): HEIF stills, AVIF, MP4 and QuickTime.
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'M4VH', 'M4VP', 'mmp4', '3gp4', '3gp5', '3gp6', '3g2a', 'f4v ', 'XAVC', 'MSNV']);
const QUICKTIME_BRANDS = new Set(['qt  ']);
// QuickTime files from before `ftyp` start straight with one of these atoms.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const fromBrands = (brands: readonly string[]): SniffedType | null => {
  // The major brand decides, then the compatible ones: a `mif1` file listing `avif` is an AVIF.
  for (const brand of brands) {
    if (AVIF_BRANDS.has(brand)) return image('image/avif');
    if (HEIC_BRANDS.has(brand)) return image('image/heic');
    if (QUICKTIME_BRANDS.has(brand)) return video('video/quicktime');
    if (MP4_BRANDS.has(brand)) return video('video/mp4');
  }
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return image('image/heif');
  return null;
};

const isoBaseMedia = (bytes: Buffer): SniffedType | null => {
  if (bytes.length < 12) return null;
  const box = ascii(bytes, 4, 4);
  if (box !== 'ftyp') return QUICKTIME_ATOMS.has(box) ? video('video/quicktime') : null;
  const size = bytes.readUInt32BE(0);
  const end = Math.min(bytes.length, size >= 16 ? size : 16);
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, 4));
  return fromBrands(brands);
};

/** A WebM is EBML with the DocType `webm` (Matroska's other DocType, `matroska`, is not taken). */
const ebml = (bytes: Buffer): SniffedType | null => {
  if (!startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  // DocType element: id 0x4282, a one-byte size (0x84 = 4), then the string.
  const docType = bytes.indexOf(Buffer.from([0x42, 0x82]));
  if (docType < 0) return null;
  const header = bytes.subarray(docType + 2, docType + 3 + 8).toString('latin1');
  return header.includes('webm') ? video('video/webm') : null;
};

/** What the leading bytes of a file are, or null when they are no supported image or video. */
export const sniffMediaType = (bytes: Buffer): SniffedType | null => {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return image('image/jpeg');
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('image/png');
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return image('image/gif');
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return image('image/webp');
  return isoBaseMedia(bytes) ?? ebml(bytes);
};

/** The kind of a declared content type (`image/png` → image), or null for anything else. */
export const declaredKind = (contentType: string): MediaKind | null => {
  const major = contentType.trim().toLowerCase().split('/')[0];
  return major === 'image' || major === 'video' ? major : null;
};

/** Reads the first SNIFF_BYTES of a file and sniffs them. */
export const sniffFile = async (path: string): Promise<SniffedType | null> => {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return sniffMediaType(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
};
