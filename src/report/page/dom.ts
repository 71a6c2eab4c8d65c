/// <reference lib="dom" />
// DOM helpers for the report page: elements are built with text nodes and attributes only, never markup from
// data (recorded values are untrusted).

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

type Kid = Node | string | number | null | undefined | false | Kid[];
interface Props {
  class?: string;
  text?: unknown;
  style?: string;
  on?: Partial<Record<keyof HTMLElementEventMap, (ev: Event) => void>>;
  [attribute: string]: unknown;
}

/** An element with `props` (class, text, style, on: listeners, other keys: attributes) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...kids: Kid[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props)
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = String(v);
      else if (k === "text") e.textContent = String(v);
      else if (k === "on")
        for (const [ev, fn] of Object.entries(v as Record<string, (ev: Event) => void>)) e.addEventListener(ev, fn);
      else if (k === "style") e.setAttribute("style", String(v));
      else e.setAttribute(k, String(v));
    }
  for (const kid of (kids as unknown[]).flat(Infinity as 1)) {
    if (kid !== undefined && kid !== null && kid !== false)
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children (text children become text nodes). */
export function svg(
  tag: string,
  attrs?: Record<string, string | number>,
  ...kids: (Node | string | null | undefined)[]
): SVGElement {
  const n = document.createElementNS(SVGNS, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs ?? {})) n.setAttribute(k, String(v));
  for (const k of kids) if (k !== null && k !== undefined) n.append(k);
  return n;
}

/** A canvas sized to its CSS box at the device pixel ratio, with a context drawing in CSS pixels. */
export function sizeCanvas(c: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1,
    w = c.clientWidth,
    h = c.clientHeight;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const g = c.getContext("2d")!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { g, w, h };
}
