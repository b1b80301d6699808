import sharp from 'sharp';
import { seededRandom } from './seeded-random.js';

// Pictures for the demo world, made here (no outside URLs): seeded gradients with soft shapes,
// drawn as SVG and written as JPEG by sharp, a few tens of KB each. The same seed gives the same
// picture, so a re-run uploads the same bytes.

const PALETTES = [
  ['#ff9a8b', '#ff6a88', '#ff99ac'],
  ['#2b5876', '#4e4376', '#91eae4'],
  ['#f6d365', '#fda085', '#fbc2eb'],
  ['#0f2027', '#2c5364', '#43cea2'],
  ['#ee9ca7', '#ffdde1', '#a1c4fd'],
  ['#134e5e', '#71b280', '#f9d423'],
  ['#614385', '#516395', '#fc5c7d'],
  ['#e96443', '#904e95', '#ffd194'],
];

const svgOf = (seed: number, width: number, height: number): string => {
  const { random, pick } = seededRandom(seed);
  const [a, b, c] = pick(PALETTES);
  const angle = Math.floor(random() * 360);
  const shapes = Array.from({ length: 3 + Math.floor(random() * 5) }, () => {
    const x = Math.floor(random() * width);
    const y = Math.floor(random() * height);
    const r = Math.floor((0.08 + random() * 0.3) * width);
    const opacity = (0.15 + random() * 0.45).toFixed(2);
    return random() < 0.6
      ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${pick([a, b, c, '#ffffff'])}" fill-opacity="${opacity}"/>`
      : `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${r}" rx="${Math.floor(r / 4)}" fill="${pick([a, b, c, '#000000'])}" fill-opacity="${opacity}" transform="rotate(${Math.floor(random() * 90)} ${x} ${y})"/>`;
  });
  // A horizon, so that some pictures read as landscapes.
  const horizon = Math.floor(height * (0.55 + random() * 0.3));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="g" gradientTransform="rotate(${angle} .5 .5)"><stop offset="0" stop-color="${a}"/><stop offset=".55" stop-color="${b}"/><stop offset="1" stop-color="${c}"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  ${shapes.join('\n  ')}
  <path d="M0 ${horizon} Q ${width / 3} ${horizon - height * 0.08} ${width / 2} ${horizon} T ${width} ${horizon} V ${height} H 0 Z" fill="#000000" fill-opacity="0.25"/>
</svg>`;
};

/** A seeded JPEG of `width` × `height`. */
export const demoImage = (seed: number, width: number, height: number): Promise<Buffer> =>
  sharp(Buffer.from(svgOf(seed, width, height))).jpeg({ quality: 80, mozjpeg: true }).toBuffer();
