/**
 * `npm run playground:screenshot`: the README's picture of the playground, taken the way the
 * browser tests drive it (headless Chromium through playwright-core): a local gateway and its
 * playground on free ports, a token minted for `customer-42`, one call, `docs/playground.png`.
 */
import { statSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

import { ROOT, startLocal } from "../server";
import { ExchangeLog, startPlayground } from "./server";

async function main(): Promise<void> {
  const log = new ExchangeLog();
  const pg = await startPlayground(0, log);
  const gw = await startLocal({ port: 0, playgroundOrigin: pg.origin, observe: log.observe });
  pg.attach(gw);
  const browser = await chromium.launch({
    executablePath: process.env.IDENTITY_GATEWAY_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(pg.url);
    // A string: this project compiles without the DOM library; the page has loaded its config.
    await page.waitForFunction(`document.getElementById("api").textContent !== "…"`);
    await page.fill("#sub", "customer-42");
    await page.fill("#claims", '{"name": "Acme Ltd"}');
    await page.click("#mint");
    await page.waitForSelector("#token[data-minted]");
    await page.click("#call");
    await page.waitForSelector("#outcome[data-state='ok']");
    const file = join(ROOT, "docs", "playground.png");
    await page.screenshot({ path: file, fullPage: true });
    process.stdout.write(`${file} (${Math.round(statSync(file).size / 1024)} KB)\n`);
  } finally {
    await browser.close();
    await pg.close();
    await gw.close();
  }
}

void main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
