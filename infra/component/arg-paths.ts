/**
 * Where each config key sits in `IdentityGatewayArgs`. Every argument is exactly one declared
 * config key (infra/config/schema.ts), so one validation (`parseConfig`) serves the stack program
 * and the component, with the same messages. Only the grouping is written here: a key listed in a
 * group becomes `args.<group>.<name>`; every other key, including any key added to the schema
 * later, is a top-level argument under its own name, with no edit here (`npm run config:docs`
 * writes `args.ts` from the schema and this table).
 */
import { CONFIG_KEYS, type ConfigKey } from "../config/schema";

export interface ArgGroup {
  /** The interface name of the group's object (`IdentityGateway<Name>Args`). */
  readonly typeName: string;
  /** Doc comment of the group's interface and argument. */
  readonly description: string;
  /** Config key → argument name inside the group. */
  readonly keys: Partial<Record<ConfigKey, string>>;
}

/** The groups, in the order `args.ts` declares them. */
export const ARG_GROUPS: Readonly<Record<string, ArgGroup>> = {
  identity: {
    typeName: "IdentityGatewayIdentityArgs",
    description: "How the verified identity reaches the backend: headers, claims, extra mappings.",
    keys: {
      customerIdHeader: "customerIdHeader",
      customerNameHeader: "customerNameHeader",
      customerIdClaims: "customerIdClaims",
      customerNameClaims: "customerNameClaims",
      claimHeaders: "claimHeaders",
      claimQueryParams: "claimQueryParams",
    },
  },
  vpcLink: {
    typeName: "IdentityGatewayVpcLinkArgs",
    description: "HTTP modes: a private ALB/NLB backend reached through a VPC link.",
    keys: {
      vpcLinkListenerArn: "listenerArn",
      vpcLinkSubnetIds: "subnetIds",
      vpcLinkSecurityGroupIds: "securityGroupIds",
    },
  },
  stage: {
    typeName: "IdentityGatewayStageArgs",
    description: "The API stage: name, throttling and logs.",
    keys: {
      stageName: "name",
      throttlingBurstLimit: "throttlingBurstLimit",
      throttlingRateLimit: "throttlingRateLimit",
      logRetentionDays: "logRetentionDays",
      accessLogging: "accessLogging",
    },
  },
  cors: {
    typeName: "IdentityGatewayCorsArgs",
    description: "CORS; without allowOrigins CORS is off and the other CORS arguments are refused.",
    keys: {
      corsAllowOrigins: "allowOrigins",
      corsAllowMethods: "allowMethods",
      corsAllowHeaders: "allowHeaders",
      corsMaxAge: "maxAge",
    },
  },
};

/** The argument path of every config key: `["cors", "allowOrigins"]`, or `["audiences"]`. */
export function argPath(key: ConfigKey): readonly string[] {
  for (const [group, g] of Object.entries(ARG_GROUPS)) {
    const name = g.keys[key];
    if (name !== undefined) return [group, name];
  }
  return [key];
}

/** Every config key with its argument path, in schema order. */
export function argPaths(): Array<[ConfigKey, readonly string[]]> {
  return (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => [key, argPath(key)]);
}
