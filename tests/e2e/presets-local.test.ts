/**
 * A stack with an identity-provider preset, or several issuers, through `npm start` (startLocal):
 * the stack is checked as `pulumi preview` checks it, then the built-in development issuer stands
 * in for the provider (its keys are not here), with one line saying so, and the gateway serves.
 * (A preset beside `issuer` in a stack file is refused by `npm start` as by `pulumi preview`:
 * tests/infra/config.test.ts, "npm start refuses every bad stack that parseConfig refuses".)
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, request } from "./helpers";

const started: LocalGateway[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.close()));
});

async function start(
  mode: string,
  config: Record<string, string | undefined>,
): Promise<LocalGateway> {
  // The dev stack sets issuer; a preset replaces it.
  const gw = await startLocal({ port: 0, mode, config: { issuer: undefined, ...config } });
  started.push(gw);
  return gw;
}

test.each(["http-jwt", "http-lambda", "rest-token"])(
  "%s with cognitoUserPoolId: the development issuer stands in, named in one line",
  async (mode) => {
    const gw = await start(mode, {
      cognitoUserPoolId: "eu-west-1_AbCdEf123",
      audiences: JSON.stringify(["app-client"]),
    });

    expect(gw.substitutions).toContain(
      `issuer: using the built-in development issuer ${gw.devIssuer?.url} instead of Amazon Cognito (cognitoUserPoolId eu-west-1_AbCdEf123); --issuer to choose`,
    );
    const ok = await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
    expect(ok.status).toBe(200);
    expect((await request(`${gw.stageUrl}/hello`)).status).toBe(401);
  },
);

test("http-lambda with several issuers: the development issuer replaces the list", async () => {
  const gw = await start("http-lambda", {
    issuer: "https://users.example.com",
    issuers: JSON.stringify(["https://machines.example.com aud=orders-api"]),
  });

  expect(gw.substitutions).toContain(
    `issuer: using the built-in development issuer ${gw.devIssuer?.url} instead of https://users.example.com and the issuers list; --issuer to choose`,
  );
  expect(gw.appConfig.authMode !== "http-jwt" && gw.appConfig.lambda.issuers).toBeUndefined();
  const ok = await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
  expect(ok.status).toBe(200);
});
