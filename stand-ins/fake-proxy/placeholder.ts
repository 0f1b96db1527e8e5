// Placeholder pictures for the simulated proxy: a 2×2 grid whose cells carry their number and the
// prompt, single images carrying their grid position, and a pixelated, darkened preview while a
// job runs. Pure JS pixels into the PNG encoder of media.ts: no canvas, no native dependencies.
import { GLYPH_H, GLYPH_W, glyph, hasGlyph } from './bitmap-font.ts';
import { encodePngRgb, type Rgb } from './media.ts';

/** The long side of one grid cell (and of a single image), in pixels. */
const CELL = 256;

class Canvas {
  readonly px: Uint8Array;
  constructor(readonly w: number, readonly h: number) {
    this.px = new Uint8Array(w * h * 3);
  }

  /** Blends `rgb` over the rectangle with opacity `alpha` (1 = opaque). */
  rect(x0: number, y0: number, w: number, h: number, rgb: Rgb, alpha = 1): void {
    const x1 = Math.min(this.w, x0 + w);
    const y1 = Math.min(this.h, y0 + h);
    for (let y = Math.max(0, y0); y < y1; y++) {
      for (let x = Math.max(0, x0); x < x1; x++) this.blend(x, y, rgb, alpha);
    }
  }

  disc(cx: number, cy: number, r: number, rgb: Rgb, alpha = 1): void {
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(this.h, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(this.w, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) this.blend(x, y, rgb, alpha);
      }
    }
  }

  /** (x, y) must be on the canvas: rect and disc clip before they call this. */
  blend(x: number, y: number, rgb: Rgb, alpha: number): void {
    const i = (y * this.w + x) * 3;
    rgb.forEach((v, c) => { this.px[i + c] = Math.round(this.px[i + c]! * (1 - alpha) + v * alpha); });
  }

  /** One line of text; returns its width. */
  text(s: string, x: number, y: number, scale: number, rgb: Rgb): number {
    let cx = x;
    for (const ch of s) {
      for (const [r, bits] of glyph(ch).entries()) {
        for (let c = 0; c < GLYPH_W; c++) {
          if (bits & (1 << (GLYPH_W - 1 - c))) this.rect(cx + c * scale, y + r * scale, scale, scale, rgb);
        }
      }
      cx += (GLYPH_W + 1) * scale;
    }
    return cx - x;
  }

  /** Replaces the picture by blocks of `size` pixels (a low-resolution look). */
  pixelate(size: number): void {
    for (let by = 0; by < this.h; by += size) {
      for (let bx = 0; bx < this.w; bx += size) {
        // the block's centre, clamped onto the canvas
        const i = (Math.min(this.h - 1, by + (size >> 1)) * this.w + Math.min(this.w - 1, bx + (size >> 1))) * 3;
        const rgb: Rgb = [this.px[i]!, this.px[i + 1]!, this.px[i + 2]!];
        this.rect(bx, by, size, size, rgb);
      }
    }
  }

  png(): Buffer {
    return encodePngRgb(this.px, this.w, this.h);
  }
}

export const textWidth = (s: string, scale: number): number => [...s].length * (GLYPH_W + 1) * scale - scale;

/** Word-wraps `s` into at most `maxLines` lines of `perLine` characters, with "..." when cut. */
export function wrap(s: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = s.replace(/\s+/g, ' ').trim().split(' ');
  for (let w of words) {
    while ([...w].length > perLine) {
      if (line) { lines.push(line); line = ''; }
      lines.push([...w].slice(0, perLine).join(''));
      w = [...w].slice(perLine).join('');
    }
    if (!line) line = w;
    else if ([...line].length + 1 + [...w].length <= perLine) line += ` ${w}`;
    else { lines.push(line); line = w; }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept.pop();
  if (last === undefined) return kept;
  return [...kept, `${[...last].slice(0, Math.max(0, perLine - 3)).join('')}...`];
}

function hash32(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  // murmur3's finaliser: keys that differ in one character get unrelated colours
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** Width and height of one cell for the prompt's --ar (kept between 1:3 and 3:1). */
export function cellSize(prompt: string): { w: number; h: number } {
  const m = /--(?:ar|aspect)\s+(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)/.exec(prompt);
  let r = m ? Number(m[1]) / Number(m[2]) : 1;
  if (!Number.isFinite(r) || r <= 0) r = 1;
  r = Math.min(3, Math.max(1 / 3, r));
  return r >= 1 ? { w: CELL, h: Math.round(CELL / r) } : { w: Math.round(CELL * r), h: CELL };
}

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [16, 16, 24];

/** One picture: a sky-to-ground gradient, a sun and a hill, its number, and the prompt. */
function paintCell(cv: Canvas, x0: number, y0: number, w: number, h: number, key: string, label: string, prompt: string, bare = false): void {
  const seed = hash32(key);
  const hue = seed % 360;
  const top = hsl(hue, 0.55, 0.62);
  const bottom = hsl((hue + 40) % 360, 0.6, 0.3);
  for (let y = 0; y < h; y++) {
    const t = y / Math.max(1, h - 1);
    const mix = (a: number, b: number) => Math.round(a * (1 - t) + b * t);
    const rgb: Rgb = [mix(top[0], bottom[0]), mix(top[1], bottom[1]), mix(top[2], bottom[2])];
    cv.rect(x0, y0 + y, w, 1, rgb);
  }
  const sunX = x0 + w * (0.2 + ((seed >>> 9) % 60) / 100);
  cv.disc(sunX, y0 + h * 0.3, Math.min(w, h) * 0.12, hsl((hue + 180) % 360, 0.8, 0.75), 0.9);
  const hill = hsl((hue + 90) % 360, 0.35, 0.22);
  for (let x = 0; x < w; x++) {
    const crest = h * (0.62 + 0.08 * Math.sin((x / w) * Math.PI * 2 + (seed % 7)));
    cv.rect(x0 + x, y0 + Math.round(crest), 1, h - Math.round(crest), hill, 0.85);
  }
  if (bare) return;
  // The number, large, on a soft disc.
  const big = Math.max(4, Math.floor(Math.min(w, h) / 28));
  const lw = textWidth(label, big);
  const cx = x0 + (w - lw) / 2;
  const cy = y0 + h * 0.42 - (GLYPH_H * big) / 2;
  cv.disc(x0 + w / 2, cy + (GLYPH_H * big) / 2, Math.max(lw, GLYPH_H * big) * 0.75, INK, 0.45);
  cv.text(label, Math.round(cx), Math.round(cy), big, WHITE);
  // The prompt, small, on a band at the bottom.
  const scale = w >= 200 ? 2 : 1;
  const lineH = (GLYPH_H + 3) * scale;
  // Only what the font draws: a Chinese prompt would be a row of boxes (the parameters still show).
  const drawable = [...prompt].filter((ch) => hasGlyph(ch)).join('').replace(/\s+/g, ' ').trim();
  const lines = wrap(drawable, Math.max(4, Math.floor((w - 16) / ((GLYPH_W + 1) * scale))), h >= 200 ? 3 : 2);
  const bandH = lines.length * lineH + 10;
  cv.rect(x0, y0 + h - bandH, w, bandH, INK, 0.6);
  lines.forEach((l, i) => cv.text(l, x0 + 8, y0 + h - bandH + 6 + i * lineH, scale, WHITE));
}

function tag(cv: Canvas, text: string): void {
  const w = textWidth(text, 1) + 8;
  cv.rect(cv.w - w - 4, 4, w, GLYPH_H + 6, INK, 0.55);
  cv.text(text, cv.w - w, 7, 1, WHITE);
}

export interface GridPicture {
  prompt: string;
  /** Colours: the same key and position always paint the same picture. */
  key: string;
  /** While running: the progress ("46%") drawn over a pixelated, darker grid. */
  progress?: string;
}

/** A 2×2 grid: cells 1-4 with their number and the prompt. */
export function gridPng(p: GridPicture): Buffer {
  const { w, h } = cellSize(p.prompt);
  const cv = new Canvas(w * 2, h * 2);
  const progress = p.progress;
  const preview = progress !== undefined;
  for (let i = 0; i < 4; i++) paintCell(cv, (i % 2) * w, Math.floor(i / 2) * h, w, h, `${p.key}:${i + 1}`, String(i + 1), p.prompt, preview);
  if (progress !== undefined) {
    cv.pixelate(24);
    cv.rect(0, 0, cv.w, cv.h, INK, 0.35);
    const scale = 6;
    const tw = textWidth(progress, scale);
    cv.rect(Math.round((cv.w - tw) / 2) - 16, Math.round((cv.h - GLYPH_H * scale) / 2) - 12, tw + 32, GLYPH_H * scale + 24, INK, 0.6);
    cv.text(progress, Math.round((cv.w - tw) / 2), Math.round((cv.h - GLYPH_H * scale) / 2), scale, WHITE);
  }
  tag(cv, 'PLAYGROUND PLACEHOLDER');
  return cv.png();
}

export interface SinglePicture {
  prompt: string;
  key: string;
  /** Grid position 1-4 (the colours of that grid cell); 0 for pictures that are no cell. */
  position: number;
  /** What the picture says in large: "#2", "#2 2x", "VIDEO" … */
  label: string;
}

/** One image at twice the cell size: an upscale of grid cell `position`, or another single result. */
export function singlePng(p: SinglePicture): Buffer {
  const { w, h } = cellSize(p.prompt);
  const cv = new Canvas(w * 2, h * 2);
  paintCell(cv, 0, 0, cv.w, cv.h, `${p.key}:${p.position}`, p.label, p.prompt);
  tag(cv, 'PLAYGROUND PLACEHOLDER');
  return cv.png();
}
