// Just enough PNG decoding to tell a blank screenshot from a drawn one. Chromium writes 8-bit RGB or
// RGBA, non-interlaced; anything else is rejected rather than guessed.
import { inflateSync } from 'node:zlib';

export interface Image {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(png: Buffer): Image {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let width = 0,
    height = 0,
    channels = 0;
  const idat: Buffer[] = [];
  for (let p = 8; p + 8 <= png.length;) {
    const len = png.readUInt32BE(p),
      type = png.toString('latin1', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8],
        colour = data[9],
        interlace = data[12];
      channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!width || !height) throw new Error('PNG without IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? out.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0,
        b = prev[x],
        c = x >= channels ? prev[x - channels] : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = 0;
          break;
        case 1:
          v = a;
          break;
        case 2:
          v = b;
          break;
        case 3:
          v = (a + b) >> 1;
          break;
        case 4: {
          // Paeth
          const pa = Math.abs(b - c),
            pb = Math.abs(a - c),
            pc = Math.abs(a + b - 2 * c);
          v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad PNG filter type ${filter} on row ${y}`);
      }
      row[x] = (src[x] + v) & 0xff;
    }
  }
  return { width, height, channels, pixels: out };
}

/** Share of pixels that have the most common colour (1 = a single flat colour). */
export function dominantColourShare(img: Image): number {
  const counts = new Map<number, number>();
  let best = 0;
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    const key = (img.pixels[i] << 16) | (img.pixels[i + 1] << 8) | img.pixels[i + 2];
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > best) best = n;
  }
  return best / (img.width * img.height);
}

/** Mean relative luminance in [0, 1] (Rec. 709 weights on the 8-bit values): tells dark themes from light. */
export function meanLuminance(img: Image): number {
  let sum = 0;
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    sum += 0.2126 * img.pixels[i] + 0.7152 * img.pixels[i + 1] + 0.0722 * img.pixels[i + 2];
  }
  return sum / (255 * img.width * img.height);
}
