/**
 * `accessLogging` and `manageApiGatewayAccount` through `startLocal` (issue 9, item 2): the
 * program still runs locally with either key, and a stage without access-log settings writes no
 * access-log line locally, as on AWS (no settings, no log).
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, request } from "./helpers";

const started: LocalGateway[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.close()));
});

async function start(
  mode: string,
  config: Record<string, string>,
): Promise<{ gw: LocalGateway; lines: string[] }> {
  const lines: string[] = [];
  const gw = await startLocal({ port: 0, mode, config, accessLog: (l) => lines.push(l) });
  started.push(gw);
  return { gw, lines };
}

test.each(["rest-token", "http-lambda"])(
  "%s with accessLogging false: requests are served, and no access-log line is written",
  async (mode) => {
    const { gw, lines } = await start(mode, { accessLogging: "false" });
    expect(gw.model.accessLogFormat).toBeUndefined();
    const ok = await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
    expect(ok.status).toBe(200);
    expect((await request(`${gw.stageUrl}/hello`)).status).toBe(401);
    expect(lines).toEqual([]);
  },
);

test("rest-token by default: one access-log line per request (the check above can fail)", async () => {
  const { gw, lines } = await start("rest-token", {});
  expect(gw.model.accessLogFormat).toBeDefined();
  await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
  await request(`${gw.stageUrl}/hello`);
  expect(lines.map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([200, 401]);
});

test("rest-token with manageApiGatewayAccount: the program declares the Account and still serves", async () => {
  const { gw, lines } = await start("rest-token", { manageApiGatewayAccount: "true" });
  expect(gw.program.resources.some((r) => r.type === "aws:apigateway/account:Account")).toBe(true);
  const ok = await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
  expect(ok.status).toBe(200);
  expect(lines).toHaveLength(1);
});
