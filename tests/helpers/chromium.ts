/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by playwright-core (which
 * downloads no browser). Where it is absent, `browserTest` is Jest's skipped test and the reason
 * is printed once when the file loads (outside any test, so the quiet environment shows it):
 * the one place a browser test may be skipped, never silently.
 */
import { existsSync } from "node:fs";

import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.IDENTITY_GATEWAY_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM_PATH)
  ? undefined
  : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set IDENTITY_GATEWAY_CHROMIUM)`;

if (chromiumMissing !== undefined) {
  console.warn(`browser tests skipped: ${chromiumMissing}`);
}

/** `test` when Chromium is present, Jest's skipped test (reason printed above) when it is not. */
export const browserTest: jest.It = chromiumMissing === undefined ? test : test.skip;

/** Launch headless Chromium with the flags CI needs (no sandbox in containers, no phoning home). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-background-networking"],
  });
}
