// Debian's Chromium for the report's browser tests and benchmark (through playwright-core): where it is, and
// how it is started (headless, offline: no background networking, updates or sync).
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.FAULTLINE_CHROMIUM ?? "/usr/bin/chromium";
export const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Loaded only when a browser is wanted (a run without Chromium skips without it). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
