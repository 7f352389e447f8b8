/**
 * `npm start`'s banner prints the route table in every mode (issue 11): the default table when
 * `routes` is unset, with the mode's rule (rest-token: roles=<requiredRoles>; http-jwt:
 * scopes=<authorizationScopes> when set).
 */
import { parseConfig } from "../../infra/config";
import { routeTableLines } from "../../local/cli";

const ISSUER = { issuer: "https://issuer.example.com", audiences: '["api"]' };

test.each<[string, Record<string, string>, string[]]>([
  [
    "http-lambda",
    { authMode: "http-lambda", verifyWith: "jwks", ...ISSUER },
    [
      "  ANY /          authenticated  any valid token",
      "  ANY /{proxy+}  authenticated  any valid token",
    ],
  ],
  [
    "http-jwt with authorizationScopes",
    { authMode: "http-jwt", authorizationScopes: '["orders:read"]', ...ISSUER },
    [
      "  ANY /          scopes=orders:read  scope/scp holds one of orders:read",
      "  ANY /{proxy+}  scopes=orders:read  scope/scp holds one of orders:read",
    ],
  ],
  [
    "rest-token",
    { authMode: "rest-token", verifyWith: "jwks", requiredRoles: '["admin","ops"]', ...ISSUER },
    [
      "  ANY /          roles=admin,ops  metadata.role holds one of admin, ops",
      "  ANY /{proxy+}  roles=admin,ops  metadata.role holds one of admin, ops",
    ],
  ],
])("%s: the default table", (_mode, values, lines) => {
  expect(routeTableLines(parseConfig({ stackName: "dev", values }))).toEqual([
    "routes (identity-gateway:routes):",
    ...lines,
  ]);
});
