/**
 * A tiny gateway on loopback (node:http, HS256 only) for testing the conformance checker: it
 * behaves like a conformant identity-gateway stage with an echo backend, except for the faults a
 * test switches on, so a test can show that the checker fails exactly the lines for that fault.
 * Routes are selected and rules checked by the shared code (functions/commons/route-select.ts,
 * routes.ts), as an HTTP API (404 where no route matches) or a REST API (resource first, 403
 * Missing Authentication Token where the resource lacks the method).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { selectHttpRoute, selectRestRoute } from "../../functions/commons/route-select";
import {
  ruleAllows,
  tokenRoles,
  tokenScopes,
  type RouteSpec,
} from "../../functions/commons/routes";

export interface Faults {
  /** Pass a client-sent X-Customer-ID (any spelling) through to the backend, like `append:`. */
  readonly leakClientIdentity?: boolean;
  /** Answer 500 to a token that does not verify (a TOKEN authorizer that throws). */
  readonly crashOnBadToken?: boolean;
  /** Cache the decision by token alone, for every route (the naive identity source). */
  readonly cacheAcrossRoutes?: boolean;
}

export interface FakeGatewayOptions {
  readonly stage: string;
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** The route table; default `ANY /` and `ANY /{proxy+}`, both `authenticated`. */
  readonly rules?: readonly RouteSpec[];
  /** How a request finds its route. @default "http" */
  readonly api?: "http" | "rest";
  readonly roleClaim?: string;
  readonly faults?: Faults;
}

export interface FakeGateway {
  /** The stage URL. */
  readonly url: string;
  /** Requests that reached the backend. */
  readonly backendCalls: number;
  close(): Promise<void>;
}

const IDENTITY_NAMES = new Set(["x-customer-id", "x_customer_id"]);

function verify(token: string, o: FakeGatewayOptions): Record<string, unknown> | undefined {
  const [h, p, s] = token.split(".");
  if (s === undefined) return undefined;
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "HS256") return undefined;
    const want = createHmac("sha256", o.secret).update(`${h}.${p}`).digest();
    const got = Buffer.from(s, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp <= now) return undefined;
    if (claims.iss !== o.issuer || claims.aud !== o.audience) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

export async function startFakeGateway(o: FakeGatewayOptions): Promise<FakeGateway> {
  const rules: readonly RouteSpec[] = o.rules ?? [
    { method: "ANY", path: "/", rule: { kind: "authenticated" }, routeKey: "ANY /" },
    {
      method: "ANY",
      path: "/{proxy+}",
      rule: { kind: "authenticated" },
      routeKey: "ANY /{proxy+}",
    },
  ];
  const select = o.api === "rest" ? selectRestRoute : selectHttpRoute;
  const cache = new Map<string, boolean>();
  let backendCalls = 0;
  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://x");
    if (!url.pathname.startsWith(`/${o.stage}`)) return json(404, { message: "Not Found" });
    const path = url.pathname.slice(o.stage.length + 1) || "/";
    const method = req.method ?? "GET";
    const route = select(rules, method, path)?.route;
    if (!route) {
      return o.api === "rest"
        ? json(403, { message: "Missing Authentication Token" })
        : json(404, { message: "Not Found" });
    }
    let claims: Record<string, unknown> | undefined;
    if (route.rule.kind !== "public") {
      const authz = req.headers.authorization;
      if (!authz) return json(401, { message: "Unauthorized" });
      const token = authz.replace(/^Bearer /, "");
      claims = verify(token, o);
      if (!claims) {
        return o.faults?.crashOnBadToken
          ? json(500, { message: "Internal Server Error" })
          : json(401, { message: "Unauthorized" });
      }
      const key = o.faults?.cacheAcrossRoutes ? token : `${token} ${route.routeKey}`;
      let allowed = cache.get(key);
      if (allowed === undefined) {
        allowed = ruleAllows(route.rule, {
          roles: tokenRoles(claims, o.roleClaim ?? "metadata.role"),
          scopes: tokenScopes(claims),
        });
        cache.set(key, allowed);
      }
      if (!allowed) return json(403, { message: "Forbidden" });
    }
    // The integration: identity headers replaced (or, with the fault, appended to).
    backendCalls++;
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (name === "authorization") continue;
      if (IDENTITY_NAMES.has(name) && !o.faults?.leakClientIdentity) continue;
      const prev = headers[name];
      headers[name] =
        prev === undefined ? req.rawHeaders[i + 1] : `${prev},${req.rawHeaders[i + 1]}`;
    }
    if (claims) {
      const prev = headers["x-customer-id"];
      headers["x-customer-id"] = prev === undefined ? String(claims.sub) : `${prev},${claims.sub}`;
    }
    return json(200, {
      message: "identity-gateway echo backend: this is what the backend received.",
      identity: { customerId: headers["x-customer-id"] ?? null, customerName: null },
      identitySource: claims ? "headers" : null,
      headers,
      method,
      path: url.pathname,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${o.stage}`,
    get backendCalls() {
      return backendCalls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
