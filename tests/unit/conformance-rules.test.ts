/**
 * What the conformance checker keeps of its own beside the shared route table and selection: the
 * default table of a stack without a `routes` output, the selection per API type, and the probe
 * request for each line (one that API Gateway sends to that line, under that API type).
 */
import { parseRouteTable, type RouteSpec } from "../../functions/commons/routes";
import { defaultEchoPath } from "../../local/conformance/checks";
import {
  defaultRoutes,
  probeFor,
  probeWord,
  selectHttp,
  selectRest,
  selectorFor,
} from "../../local/conformance/rules";

function table(lines: string[]): RouteSpec[] {
  const { routes, problems } = parseRouteTable(lines);
  expect(problems).toEqual([]);
  return routes;
}

describe("defaultRoutes", () => {
  it.each([
    ["rest-token", ["ANY / roles=admin,ops", "ANY /{proxy+} roles=admin,ops"]],
    ["http-jwt", ["ANY / scopes=read", "ANY /{proxy+} scopes=read"]],
    ["http-lambda", ["ANY / authenticated", "ANY /{proxy+} authenticated"]],
  ])("%s: the table the program parses for a stack without routes", (mode, lines) => {
    expect(defaultRoutes(mode, ["admin", "ops"], ["read"])).toEqual(table(lines));
  });

  it("an unknown mode has no table (the route checks say so)", () => {
    expect(defaultRoutes(undefined, ["admin"])).toEqual([]);
  });
});

describe("probeFor", () => {
  it("fills variables with a word no literal segment of the table uses", () => {
    const routes = table([
      "GET /conformance/status public",
      "GET /conformance-1 public",
      "ANY /{proxy+} roles=member",
    ]);

    expect(probeWord(routes)).toBe("conformance-2");
    expect(probeFor(routes[2], routes, selectRest)).toEqual({
      method: "GET",
      path: "/conformance-2/probe",
    });
  });

  it("REST: a line only other lines' resources reach has no probe, though HTTP would fall back to it", () => {
    // `/{id}` takes every first segment in REST (a resource has one variable child; the preview
    // refuses this table in rest-token), so `ANY /{proxy+}` is never selected there.
    const routes = table(["GET /{id} public", "ANY /{proxy+} roles=admin"]);

    expect(probeFor(routes[1], routes, selectHttp)).toEqual({
      method: "GET",
      path: "/conformance/probe",
    });
    expect(probeFor(routes[1], routes, selectRest)).toBeUndefined();
    expect(probeFor(routes[1], routes, selectorFor("rest-token"))).toBeUndefined();
    expect(probeFor(routes[1], routes, selectorFor("http-lambda"))).toBeDefined();
    // With the mode unknown, a probe must reach the line under both.
    expect(probeFor(routes[1], routes, selectorFor(undefined))).toBeUndefined();
  });

  it("an ANY line takes a method no exact-method line on its path takes; never OPTIONS or HEAD", () => {
    const routes = table([
      "GET /items/{id} scopes=read",
      "POST /items/{id} scopes=write",
      "ANY /items/{id} authenticated",
    ]);

    for (const select of [selectHttp, selectRest]) {
      expect(probeFor(routes[2], routes, select)).toEqual({
        method: "PUT",
        path: "/items/conformance",
      });
      expect(probeFor(routes[0], routes, select)).toEqual({
        method: "GET",
        path: "/items/conformance",
      });
      expect(probeFor(routes[2], routes, select, ["GET"])).toBeUndefined();
    }
    const taken = table(
      ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .map((m) => `${m} /x scopes=${m.toLowerCase()}`)
        .concat("ANY /x authenticated"),
    );
    expect(probeFor(taken[5], taken, selectHttp)).toBeUndefined();
  });
});

describe("defaultEchoPath", () => {
  it("keeps /conformance where GET reaches a route that needs a token", () => {
    const routes = table(["GET /health public", "ANY /{proxy+} authenticated"]);
    expect(defaultEchoPath(routes, selectRest)).toBe("/conformance");
    expect(defaultEchoPath([], selectRest)).toBe("/conformance");
  });

  it("REST: a prefix resource without a method is not the echo path; an authenticated route's probe is", () => {
    const routes = table([
      "GET /conformance/status public",
      "ANY /admin/{proxy+} roles=admin",
      "ANY /{proxy+} authenticated",
    ]);

    // HTTP falls back to ANY /{proxy+} for GET /conformance; REST answers 403 Missing
    // Authentication Token there (the resource /conformance has no method).
    expect(defaultEchoPath(routes, selectHttp)).toBe("/conformance");
    expect(selectRest(routes, "GET", "/conformance")).toBeUndefined();
    expect(defaultEchoPath(routes, selectRest)).toBe("/conformance-1/probe");
  });
});
