/**
 * A stack that names an existing secret by a partial ARN and its customer-managed KMS key
 * (issue 9, item 7) still runs locally: nobody can read that secret here, so the local gateway
 * replaces it by development key material and must drop `secretKmsKeyArn` with it (the program
 * refuses a KMS key without a secret).
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, request } from "./helpers";

let gw: LocalGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

test.each(["secret", "public-key"])(
  "verifyWith=%s with secretArn (partial) and secretKmsKeyArn: served with development keys",
  async (verifyWith) => {
    gw = await startLocal({
      port: 0,
      mode: "rest-token",
      config: {
        verifyWith,
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/jwt-key",
        secretKmsKeyArn:
          "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    });
    expect(gw.appConfig.authMode).toBe("rest-token");
    if (gw.appConfig.authMode === "http-jwt") return;
    expect(gw.appConfig.lambda.keySource).not.toHaveProperty(
      "existingSecretKmsKeyArn",
      expect.any(String),
    );
    const ok = await request(`${gw.stageUrl}/hello`, { headers: bearer(gw.mintToken()) });
    expect(ok.status).toBe(200);
    expect((await request(`${gw.stageUrl}/hello`)).status).toBe(401);
  },
);
