/**
 * Key material for the Lambda authorizers, kept in AWS Secrets Manager: never in code, never in a
 * plain environment variable, never in a stack output (design.md, "Key material").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { KeySource } from "../config";

export interface KeyMaterialArgs {
  /**
   * Where the authorizer's key comes from.
   * - `secret` / `public-key` with a value: a new secret holds it.
   * - `secret` / `public-key` with `existingSecretArn`: that secret is used, nothing is created.
   * - `jwks`: keys come from the issuer's JWKS, nothing is created.
   */
  readonly keySource: KeySource;
}

/**
 * The Secrets Manager secret an authorizer reads its key from, if its key source needs one.
 *
 * `secretArn` is what the authorizer's IAM policy and its `SECRET_ID` are scoped to; it is
 * `undefined` exactly when no secret is involved (`jwks`).
 */
export class KeyMaterial extends pulumi.ComponentResource {
  /** ARN of the secret holding the key; undefined for `jwks`. */
  readonly secretArn: pulumi.Output<string> | undefined;
  /** The secret this component created; undefined for `jwks` or an existing secret. */
  readonly secret?: aws.secretsmanager.Secret;
  /** The version holding the key value; undefined when no secret was created. */
  readonly secretVersion?: aws.secretsmanager.SecretVersion;

  constructor(name: string, args: KeyMaterialArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:shared:KeyMaterial", name, {}, opts);
    const source = args.keySource;

    if (source.kind === "jwks") {
      this.secretArn = undefined;
    } else if (source.existingSecretArn !== undefined) {
      this.secretArn = pulumi.output(source.existingSecretArn);
    } else {
      // The HS256 secret is a credential: keep it a Pulumi secret end to end, explicitly, rather
      // than relying on the provider marking `secretString` secret. The PEM public key is public;
      // it lives in Secrets Manager so a key rotation needs no redeploy (the provider still masks
      // it in diffs).
      const value =
        source.kind === "secret"
          ? pulumi.secret(requireValue(source.jwtSecret, "jwtSecret"))
          : requireValue(source.publicKeyPem, "publicKeyPem");
      this.secret = new aws.secretsmanager.Secret(
        `${name}-secret`,
        {
          description:
            source.kind === "secret"
              ? "identity-gateway: HS256 shared secret the authorizer verifies tokens with"
              : "identity-gateway: RS256 public key (PEM) the authorizer verifies tokens with",
        },
        { parent: this },
      );
      this.secretVersion = new aws.secretsmanager.SecretVersion(
        `${name}-secret-version`,
        { secretId: this.secret.id, secretString: value },
        { parent: this },
      );
      this.secretArn = this.secret.arn;
    }

    this.registerOutputs({ secretArn: this.secretArn });
  }
}

function requireValue<T>(value: T | undefined, key: string): T {
  if (value === undefined) {
    throw new Error(
      `KeyMaterial: [keySource.${key}] or [keySource.existingSecretArn] must be provided`,
    );
  }
  return value;
}
