/**
 * apiUrl never ends in "/" (a `$default` stage's invoke URL does: "Working with stages for HTTP
 * APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html), so
 * `$URL/hello` never becomes `//hello`. Through the program (`createGateway`), in every mode.
 */
import { mocks, settle, unwrap } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import { parseConfig } from "../../infra/config";
import { withoutTrailingSlash } from "../../infra/outputs";
import { createGateway } from "../../infra/program";

const SECRET = "x".repeat(48);

beforeEach(() => mocks.reset());

async function apiUrl(values: Record<string, string>, jwtSecret?: string): Promise<string> {
  const outputs = createGateway(parseConfig({ stackName: "dev", values, jwtSecret }));
  await settle();
  return unwrap(outputs.apiUrl);
}

describe("apiUrl", () => {
  test.each([
    ["http-jwt", { issuer: "https://login.example.com", audiences: '["api"]' }, undefined],
    ["http-lambda", { verifyWith: "secret", issuer: "dev-issuer", audiences: '["api"]' }, SECRET],
  ])("%s with a $default stage: no trailing slash", async (mode, values, secret) => {
    const url = await apiUrl({ authMode: mode, stageName: "$default", ...values }, secret);
    expect(url).toBe("https://gateway-http-api-id.execute-api.us-east-1.amazonaws.com");
  });

  test("http-lambda with a named stage: the stage path, no trailing slash", async () => {
    const url = await apiUrl(
      { authMode: "http-lambda", verifyWith: "secret", issuer: "dev-issuer", audiences: '["a"]' },
      SECRET,
    );
    expect(url).toBe("https://gateway-http-api-id.execute-api.us-east-1.amazonaws.com/dev");
  });

  test("rest-token: no trailing slash", async () => {
    const url = await apiUrl(
      { authMode: "rest-token", verifyWith: "secret", issuer: "dev-issuer", audiences: '["a"]' },
      SECRET,
    );
    expect(url).not.toMatch(/\/$/);
    expect(url).toMatch(/\/dev$/);
  });

  test("withoutTrailingSlash strips every trailing slash and nothing else", async () => {
    expect(await unwrap(withoutTrailingSlash("https://h.example/"))).toBe("https://h.example");
    expect(await unwrap(withoutTrailingSlash("https://h.example/dev//"))).toBe(
      "https://h.example/dev",
    );
    expect(await unwrap(withoutTrailingSlash("https://h.example/dev"))).toBe(
      "https://h.example/dev",
    );
  });
});
