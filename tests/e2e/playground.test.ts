/**
 * The playground end to end in headless Chromium: the page (its own origin) mints a token through
 * its loopback endpoint, calls `npm start`'s gateway with a real cross-origin fetch (a real
 * preflight), and shows the preflight, the response headers and what the backend received. A page
 * on an origin the gateway does not allow is blocked by the browser itself.
 */
import { request as httpRequest } from "node:http";

import type { Browser, Page } from "playwright-core";

import { parseCliArgs } from "../../local/cli";
import { ExchangeLog, startPlayground, type Playground } from "../../local/playground/server";
import { startLocal, type LocalGateway } from "../../local/server";
import { browserTest, chromiumMissing, launchChromium } from "../helpers/chromium";

let browser: Browser | undefined;
beforeAll(async () => {
  if (chromiumMissing === undefined) browser = await launchChromium();
});
afterAll(() => browser?.close());

async function open(url: string): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(url);
  // Strings run in the page (this project compiles without the DOM library).
  await page.waitForFunction(`document.getElementById("api").textContent !== "…"`);
  return page;
}

async function mint(page: Page, sub: string): Promise<void> {
  await page.fill("#sub", sub);
  await page.click("#mint");
  await page.waitForSelector("#token[data-minted]");
}

async function callApi(page: Page): Promise<string> {
  await page.evaluate(`document.getElementById("outcome").dataset.state = "waiting"`);
  await page.click("#call");
  const outcome = await page.waitForSelector("#outcome:not([data-state='waiting'])");
  return (await outcome.getAttribute("data-state")) ?? "";
}

const text = (page: Page, sel: string) => page.textContent(sel).then((t) => t ?? "");

/** Whether a panel shows `name: value` (REST keeps the header names' case, HTTP APIs lower it). */
const shows = (panel: string, name: string, value: string): boolean =>
  panel
    .split("\n")
    .some((l) => l.toLowerCase().startsWith(`${name}: `) && l.endsWith(`: ${value}`));

describe.each(["http-lambda", "http-jwt", "rest-token"] as const)("%s", (mode) => {
  let gw: LocalGateway;
  let pg: Playground;
  let stranger: Playground;
  beforeAll(async () => {
    const log = new ExchangeLog();
    pg = await startPlayground(0, log);
    gw = await startLocal({
      port: 0,
      mode,
      playgroundOrigin: pg.origin,
      observe: log.observe,
    });
    pg.attach(gw);
    // The same page on an origin the gateway's CORS configuration does not list.
    stranger = await startPlayground(0, log);
    stranger.attach(gw);
  });
  afterAll(async () => {
    await stranger?.close();
    await pg?.close();
    await gw?.close();
  });

  it("adds the playground's origin to the CORS origins, with a substitution line", () => {
    expect(gw.substitutions).toContain(
      `corsAllowOrigins: adding ${pg.origin} (the playground) for this local run`,
    );
  });

  browserTest(
    "mints a token; the call succeeds and shows the identity and the preflight",
    async () => {
      const page = await open(pg.url);
      await mint(page, `pg-${mode}`);
      expect(await callApi(page)).toBe("ok");
      expect(await text(page, "#identity")).toBe(`pg-${mode}`);
      const preflight = await text(page, "#preflight");
      expect(preflight).toMatch(/^OPTIONS → 20[04]/);
      expect(shows(preflight, "access-control-allow-origin", pg.origin)).toBe(true);
      expect((await text(page, "#response")).split("\n")[0]).toBe("200");
      expect(await text(page, "#backend")).toContain(`"customerId": "pg-${mode}"`);
      // Tokens are shown shortened, never whole.
      expect(await text(page, "#request")).toMatch(/Authorization: Bearer eyJ.{9}…\(\d+ chars\)/);
      await page.close();
    },
  );

  browserTest(
    "a page's own X-Customer-ID is stopped at the preflight (not an allowed header)",
    async () => {
      const page = await open(pg.url);
      await mint(page, "spoofer");
      await page.fill("#spoof", "someone-else");
      expect(await callApi(page)).toBe("blocked");
      const preflight = await text(page, "#preflight");
      expect(preflight).toMatch(/access-control-request-headers: authorization,x-customer-id/i);
      expect(preflight).not.toMatch(/access-control-allow-headers: .*x-customer-id/i);
      expect(await text(page, "#response")).toBe(
        "not sent: the browser stopped after the preflight",
      );
      await page.close();
    },
  );

  browserTest("a call without a token shows 401", async () => {
    const page = await open(pg.url);
    await page.uncheck("#send-token");
    expect(await callApi(page)).toBe("http-error");
    expect(await text(page, "#outcome")).toMatch(/^401 — \{"message":"Unauthorized"\}/);
    expect(await text(page, "#preflight")).toMatch(/^none: a simple request/);
    await page.close();
  });

  browserTest("a page on an origin that is not allowed is blocked by the browser", async () => {
    const page = await open(stranger.url);
    await mint(page, "stranger");
    expect(await callApi(page)).toBe("blocked");
    expect(await text(page, "#outcome")).toMatch(/^Blocked by the browser \(CORS\)/);
    // The gateway answered the preflight, without allowing this origin.
    const preflight = await text(page, "#preflight");
    expect(preflight).toMatch(/^OPTIONS → /);
    expect(shows(preflight, "access-control-allow-origin", stranger.origin)).toBe(false);
    await page.close();
  });
});

describe("the token endpoint serves the playground page only", () => {
  let gw: LocalGateway;
  let pg: Playground;
  beforeAll(async () => {
    const log = new ExchangeLog();
    pg = await startPlayground(0, log);
    gw = await startLocal({ port: 0, playgroundOrigin: pg.origin, observe: log.observe });
    pg.attach(gw);
  });
  afterAll(async () => {
    await pg?.close();
    await gw?.close();
  });

  const post = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const u = new URL(`${pg.url}/api/token`);
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });

  it.each([
    ["its own page", {}, 200],
    ["another origin", { origin: "https://evil.example" }, 403],
    ["a non-loopback Host (DNS rebinding)", { host: "evil.example" }, 421],
  ])("%s", async (_what, headers, status) => {
    expect(await post({ "content-type": "application/json", ...headers })).toBe(status);
  });
});

describe("npm start -- --playground", () => {
  it.each([
    [["--playground"], 8090],
    [["--playground", "--playground-port", "0"], 0],
    [[], undefined],
  ])("%j → playground port %s", (argv, port) => {
    expect(parseCliArgs(argv).playgroundPort).toBe(port);
  });

  it.each([
    [["--playground-port", "9000"], "--playground-port goes with --playground"],
    [
      ["--playground", "--playground-port", "x"],
      '--playground-port expects a port number (0-65535), got "x"',
    ],
  ])("%j is refused naming the flag", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
