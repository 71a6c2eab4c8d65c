/// <reference lib="dom" />
// The page's colours: operation outcomes, the highlight, each fault kind as its nemesis declares it, and the
// pixel-buffer forms the timeline and the latency plot draw with.
import { DATA } from "./ops.ts";

export const COLOR = { ok: "#6dbb83", fail: "#e27d7d", info: "#efb437", hl: "#6b21a8" };
export const TYPE_COLOR = [COLOR.ok, COLOR.fail, COLOR.info];
/** A fault's colour, from its nemesis' declaration (run.json); grey when none was declared. */
export const faultColor = (f: string): string => DATA.faultKinds?.[f]?.colour ?? "#888888";
export const faultDescription = (f: string): string | undefined => DATA.faultKinds?.[f]?.description;
export const F_PALETTE = ["#2f6fdb", "#d9480f", "#2b8a3e", "#ae3ec9", "#e8590c", "#1098ad", "#5c940d", "#c2255c"];
/** Colours of the relations a proof's steps name (others are grey). */
export const REL_COLOR: Record<string, string> = {
  ww: "#0969da",
  wr: "#1a7f37",
  rw: "#cf222e",
  process: "#8250df",
  realtime: "#9a6700",
};

/** A colour as a little-endian RGBA word for pixel buffers; alpha < 1 blends it with white. */
export function word(hex: string, alpha = 1): number {
  const n = parseInt(hex.slice(1), 16),
    mix = (c: number) => Math.round(c * alpha + 255 * (1 - alpha));
  return ((255 << 24) | (mix(n & 255) << 16) | (mix((n >> 8) & 255) << 8) | mix(n >> 16)) >>> 0;
}
export const PX = TYPE_COLOR.map((c) => word(c));
const PX_DIM = TYPE_COLOR.map((c) => word(c, 0.28));
const RGB = TYPE_COLOR.map((hex) => {
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
});

let mixBuf = new Uint32Array(0);
/** One lane's row of pixels from per-pixel counts [ok, fail, info, highlighted]: a pixel's colour mixes its
 *  operations' colours by count, so density stays honest when zoomed out. */
export function mixRow(cnt: Uint16Array, from: number, W: number, dimming: boolean): Uint32Array {
  if (mixBuf.length !== W) mixBuf = new Uint32Array(W);
  const alpha = dimming ? 0.28 : 1;
  for (let x = 0; x < W; x++) {
    const i = (from + x) * 4,
      o = cnt[i],
      f = cnt[i + 1],
      n = cnt[i + 2],
      h = cnt[i + 3];
    if (h) {
      mixBuf[x] = 0;
      continue;
    }
    const tot = o + f + n;
    if (!tot) {
      mixBuf[x] = 0;
      continue;
    }
    if (tot === o) {
      mixBuf[x] = dimming ? PX_DIM[0] : PX[0];
      continue;
    }
    const r = RGB[0][0] * o + RGB[1][0] * f + RGB[2][0] * n,
      g = RGB[0][1] * o + RGB[1][1] * f + RGB[2][1] * n,
      b = RGB[0][2] * o + RGB[1][2] * f + RGB[2][2] * n;
    const mix = (c: number) => Math.round((c / tot) * alpha + 255 * (1 - alpha));
    mixBuf[x] = ((255 << 24) | (mix(b) << 16) | (mix(g) << 8) | mix(r)) >>> 0;
  }
  return mixBuf;
}

interface Raster {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  img: ImageData;
  px: Uint32Array;
  W: number;
  H: number;
}
const rasters = new Map<HTMLCanvasElement, Raster>();
/** A cleared offscreen pixel buffer of W×H device pixels, one per visible canvas. */
export function rasterFor(c: HTMLCanvasElement, W: number, H: number): Raster {
  let r = rasters.get(c);
  if (!r || r.W !== W || r.H !== H) {
    const canvas = document.createElement("canvas");
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext("2d")!,
      img = ctx.createImageData(W, H);
    r = { canvas, ctx, img, px: new Uint32Array(img.data.buffer), W, H };
    rasters.set(c, r);
  } else r.px.fill(0);
  return r;
}
