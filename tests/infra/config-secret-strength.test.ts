/**
 * An HS256 key shorter than 256 bits can be brute-forced offline from any one token, so a short
 * `jwtSecret` stops the preview. `loadConfig` passes only the byte length to `parseConfig`.
 */
import { ConfigError, MIN_HS256_SECRET_BYTES, parseConfig } from "../../infra/config";

const base = {
  authMode: "http-lambda",
  verifyWith: "secret",
  issuer: "https://issuer.example.com",
  audiences: JSON.stringify(["api"]),
};

function problemsFor(jwtSecretBytes: number): { key: string; message: string }[] {
  try {
    parseConfig({ stackName: "dev", values: base, jwtSecret: "s", jwtSecretBytes });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [...e.problems];
  }
}

describe("jwtSecret strength", () => {
  test.each([1, 16, MIN_HS256_SECRET_BYTES - 1])(
    "a %i-byte secret is refused, naming the key and the fix",
    (n) => {
      const problems = problemsFor(n);
      expect(problems).toHaveLength(1);
      expect(problems[0].key).toBe("jwtSecret");
      expect(problems[0].message).toContain(`is ${n} bytes`);
      expect(problems[0].message).toContain("pulumi config set --secret jwtSecret");
    },
  );

  test.each([MIN_HS256_SECRET_BYTES, 64])("a %i-byte secret is accepted", (n) => {
    expect(problemsFor(n)).toEqual([]);
  });

  test("the length is not checked when the secret lives in an existing Secrets Manager secret", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf";
    expect(() =>
      parseConfig({ stackName: "dev", values: { ...base, secretArn: arn } }),
    ).not.toThrow();
  });
});
