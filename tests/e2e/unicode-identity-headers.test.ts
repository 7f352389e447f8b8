/**
 * Review: identity values outside ASCII through the local gateway to an HTTP backend
 * (`--backend-url`), in every mode. A valid token whose name claim is "山田" must reach the backend
 * like any other (UTF-8 bytes in the header), not fail the request with a 500.
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, distinctValues, request, startBackend } from "./helpers";

const MODES = ["http-jwt", "http-lambda", "rest-token"] as const;
const NAMES = ["山田太郎", "Łukasz", "José", "Ёжик 🦔"];

describe.each(MODES)("%s with an HTTP backend", (mode) => {
  let gw: LocalGateway;
  let backend: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startLocal({ port: 0, mode, backendUrl: backend.url });
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  test.each(NAMES)(
    "name %s → 200, the backend gets it as UTF-8 in X-Customer-Name",
    async (name) => {
      const res = await request(`${gw.stageUrl}/hello`, {
        headers: {
          ...bearer(gw.mintToken({ sub: `id-${name}`, claims: { name } })),
          "X-Customer-Name": "forged",
        },
      });

      expect(res.status).toBe(200);
      const seen = backend.requests.at(-1)!;
      // node:http hands header bytes over as Latin-1: decode them as the UTF-8 they are.
      const utf8 = (header: string) =>
        distinctValues(seen, header).map((v) => Buffer.from(v, "latin1").toString("utf8"));
      expect(utf8("x-customer-name")).toEqual([name]);
      expect(utf8("x-customer-id")).toEqual([`id-${name}`]);
    },
  );
});
