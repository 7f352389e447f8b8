/**
 * The preview check of rest-token's route table (pure; infra/config/parse.ts runs it, the
 * authorizer bundle does not carry it). It refuses, naming the lines and saying why, a table whose
 * policies (route-policy.ts) would not allow exactly the routes a caller's rule grants:
 *
 * - Every "grant profile" is tried: each combination of the table's distinct roles and scopes
 *   (the atoms) being held or not, at most {@link MAX_RULE_ATOMS} atoms (2^6 = 64 profiles).
 * - For each profile the policy is built and evaluated, with the local gateway's IAM evaluation
 *   (functions/commons/iam-policy.ts), against sample requests of every route, each sent to the
 *   method API Gateway would select (functions/commons/route-select.ts, REST rules). A request on
 *   a non-public method must be allowed exactly when its route's rule grants the profile.
 * - Each policy must stay within {@link MAX_POLICY_BYTES}.
 *
 * Also refused, because the REST resource tree cannot hold them: two different variable segments
 * under one resource (`/items/{id}` and `/items/{key}/x`, or `/{id}` beside `/{proxy+}`; a REST
 * resource has one variable child, which is also what makes resource selection unambiguous), and
 * an `OPTIONS` line while CORS adds its own `OPTIONS` preflight method to every resource.
 */
import { evaluatePolicy } from "../commons/iam-policy";
import { ANY_METHODS, selectRestRoute, splitPath } from "../commons/route-select";
import { formatRoute, type RouteSpec, type RouteTableProblem } from "../commons/routes";
import {
  allowedRoutes,
  planRoutePolicies,
  policyDocument,
  policyResources,
  type PolicyResources,
  type RoutePolicyPlan,
} from "./route-policy";

/** Distinct roles and scopes a non-uniform table may name (2^6 = 64 profiles to verify). */
export const MAX_RULE_ATOMS = 6;

/**
 * Largest policy document, in bytes of JSON. AWS documents no size for a REST authorizer's
 * answer; the one size it documents for a Lambda authorizer result is WebSocket APIs' "AWS Lambda
 * authorizer result size: 8 KB" ("Amazon API Gateway quotas", WebSocket table), kept to here. Each
 * Resource ARN is also at most 512 characters (aws-semantics.md §4, ROUT).
 */
export const MAX_POLICY_BYTES = 8192;

/** The longest stage prefix a policy could carry (a long partition and Region, a 10-char id). */
function longPrefix(stageName: string): string {
  return `arn:aws-us-gov:execute-api:ap-southeast-4:123456789012:abcdefghij/${stageName}`;
}

const where = (r: RouteSpec, index: number) => `routes[${index}] "${formatRoute(r)}"`;

function variableChildProblems(routes: readonly RouteSpec[]): RouteTableProblem[] {
  const problems: RouteTableProblem[] = [];
  // parent resource path → [variable segment, line]
  const seen = new Map<string, [string, number]>();
  routes.forEach((r, index) => {
    const segs = splitPath(r.path);
    for (let i = 0; i < segs.length; i++) {
      if (!segs[i].startsWith("{")) continue;
      const parent = `/${segs.slice(0, i).join("/")}`;
      const earlier = seen.get(parent);
      if (earlier === undefined) seen.set(parent, [segs[i], index]);
      else if (earlier[0] !== segs[i]) {
        problems.push({
          index,
          message:
            `${where(r, index)} puts ${segs[i]} under ${parent}, where routes[${earlier[1]}] has ` +
            `${earlier[0]}: a REST resource has one variable child, so name it the same in ` +
            `every line (or use literal segments)`,
        });
        return;
      }
    }
  });
  return problems;
}

/** Sample requests: every route's methods with its variables filled from the table's words. */
function samples(routes: readonly RouteSpec[]): Array<[string, string]> {
  const words = new Set<string>(["z"]);
  for (const r of routes) for (const s of splitPath(r.path)) if (!s.startsWith("{")) words.add(s);
  const concrete = routes.map((r) => r.path.replace(/\{[^}]+\}/g, "z").replace(/^\//, ""));
  const out = new Map<string, [string, string]>();
  for (const r of routes) {
    const methods = r.method === "ANY" ? ANY_METHODS : [r.method];
    const fills = [...words];
    if (/\+\}$/.test(r.path))
      for (const c of concrete) if (c !== "") fills.push(`z/${c}`, `${c}/z`);
    for (const m of methods) {
      for (const f of fills) {
        const path = r.path.replace(/\{[^}]+\}/g, f);
        out.set(`${m} ${path}`, [m, path]);
      }
    }
  }
  return [...out.values()];
}

function atomsOf(plan: RoutePolicyPlan): Array<{ kind: "role" | "scope"; value: string }> {
  const atoms = new Map<string, { kind: "role" | "scope"; value: string }>();
  for (const { spec } of plan.routes) {
    if (spec.rule.kind === "roles") {
      for (const v of spec.rule.roles) atoms.set(`role:${v}`, { kind: "role", value: v });
    } else if (spec.rule.kind === "scopes") {
      for (const v of spec.rule.scopes) atoms.set(`scope:${v}`, { kind: "scope", value: v });
    }
  }
  return [...atoms.values()];
}

/**
 * Problems of a rest-token route table, each naming its line (`index`); [] when every policy the
 * authorizer can return for it is exact.
 */
export function checkRestRouteTable(
  routes: readonly RouteSpec[],
  options: { readonly stageName: string; readonly cors: boolean },
): RouteTableProblem[] {
  const problems = variableChildProblems(routes);
  if (options.cors) {
    routes.forEach((r, index) => {
      if (r.method === "OPTIONS") {
        problems.push({
          index,
          message: `${where(r, index)}: with corsAllowOrigins set, every resource gets the CORS preflight's own OPTIONS method (no authorizer); drop this line or CORS`,
        });
      }
    });
  }
  if (problems.length > 0) return problems;
  const plan = planRoutePolicies(routes);
  if (plan.uniformRule !== undefined || plan.routes.length === 0) return problems;

  const atoms = atomsOf(plan);
  if (atoms.length > MAX_RULE_ATOMS) {
    return [
      {
        index: plan.routes[0].index,
        message:
          `the lines with differing rules name ${atoms.length} roles and scopes ` +
          `(${atoms.map((a) => a.value).join(", ")}); at most ${MAX_RULE_ATOMS}, because each ` +
          `combination a caller can hold gets its own cached policy, and each is verified at preview`,
      },
    ];
  }

  const prefix = longPrefix(options.stageName);
  // Every distinct policy (profiles that allow the same routes share one), its size checked first.
  const profiles: Array<{
    who: string;
    allowed: boolean[];
    resources: PolicyResources;
    doc: ReturnType<typeof policyDocument>;
  }> = [];
  const done = new Set<string>();
  for (let mask = 0; mask < 1 << atoms.length; mask++) {
    const held = atoms.filter((_, i) => mask & (1 << i));
    const caller = {
      roles: held.filter((a) => a.kind === "role").map((a) => a.value),
      scopes: held.filter((a) => a.kind === "scope").map((a) => a.value),
    };
    const allowed = allowedRoutes(plan, caller);
    const key = allowed.map((a) => (a ? 1 : 0)).join("");
    if (done.has(key)) continue;
    done.add(key);
    const resources = policyResources(plan, allowed);
    const doc = policyDocument(prefix, resources);
    const who = `a caller holding ${held.length === 0 ? "none of the table's roles and scopes" : held.map((a) => `${a.kind} ${a.value}`).join(", ")}`;
    const size = Buffer.byteLength(JSON.stringify(doc));
    if (size > MAX_POLICY_BYTES) {
      return [
        {
          index: plan.routes[0].index,
          message: `the policy for ${who} would be ${size} bytes; at most ${MAX_POLICY_BYTES} (fewer lines with differing rules, or give more lines the same rule)`,
        },
      ];
    }
    profiles.push({ who, allowed, resources, doc });
  }

  const pool = samples(routes);
  const selected = pool.map(([m, p]) => selectRestRoute(routes, m, p)?.route);
  const planIndex = new Map(plan.routes.map((r, i) => [r.spec, i]));
  for (const { who, allowed, resources, doc } of profiles) {
    for (let s = 0; s < pool.length; s++) {
      const route = selected[s];
      if (route === undefined || route.rule.kind === "public") continue;
      const [method, path] = pool[s];
      const want = allowed[planIndex.get(route)!];
      const arn = `${prefix}/${method}/${path.replace(/^\//, "")}`;
      const got = evaluatePolicy(doc, arn);
      if ((got === "allow") === want) continue;
      // The line whose statement decided instead: its pattern also matches this request.
      const culprit = plan.routes.find((r) =>
        want
          ? resources.deny.some(
              (d) =>
                r.deny.includes(d) &&
                evaluatePolicy(
                  policyDocument(prefix, { effect: "Deny", allow: [], deny: [d] }),
                  arn,
                ) === "explicit-deny",
            )
          : r.allow ===
            resources.allow.find(
              (a) =>
                evaluatePolicy(
                  policyDocument(prefix, { effect: "Allow", allow: [a], deny: [] }),
                  arn,
                ) === "allow",
            ),
      );
      const index = routes.indexOf(route);
      const other = culprit
        ? ` the ${want ? "Deny" : "Allow"} for ${where(culprit.spec, culprit.index)} also matches it`
        : " no statement decides it";
      return [
        {
          index,
          message:
            `${where(route, index)}: ${who} must be ${want ? "allowed" : "denied"} ${method} ${path}, but${other} ` +
            `(IAM's * in a policy Resource also matches /, and API Gateway reuses one cached policy for every route); ` +
            `give these lines the same rule, or paths that do not nest`,
        },
      ];
    }
  }
  return problems;
}
