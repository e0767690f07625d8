/**
 * The published API document: the committed health-aggregator/openapi.json and api-client/schema.ts are what the
 * routes generate, the document is valid OpenAPI 3.1 (a strict validator of the specification's own JSON Schema),
 * and every route the app registers is in it with an operationId, a tag, a description of each reply and the
 * credentials it enforces (checked against the app: refused without them, accepted with them).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";
import { ManualClock } from "../engine/manual-clock.js";
import { apiDrift, OPENAPI_FILE, openApiDocument, type OpenApiDocument, writeApiFiles } from "./document.js";
import { SECURITY_SCHEMES, TAGS } from "./operation.js";
import { OPENAPI_ROUTE } from "./routes.js";

interface OperationObject {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

const operations = (document: OpenApiDocument) =>
  Object.entries(document.paths as Record<string, Record<string, OperationObject>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );

async function validate(document: OpenApiDocument) {
  return new Validator().validate(structuredClone(document));
}

describe("the OpenAPI document", () => {
  it("is committed as the routes generate it, and so are the client's types", async () => {
    // Each problem names the command that regenerates the files.
    expect(await apiDrift()).toEqual([]);
  });

  it("names a stale or missing file and the command that regenerates it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-openapi-"));
    try {
      const files = { document: join(dir, "openapi.json"), types: join(dir, "schema.ts") };
      writeFileSync(files.document, readFileSync(OPENAPI_FILE, "utf8").replace('"getStatus"', '"getState"'));
      const problems = await apiDrift(files);
      expect(problems).toEqual([
        expect.stringMatching(
          /openapi\.json: differs from what the aggregator's routes generate \(run `node bin\/lookout\.mjs api build`\)$/,
        ),
        expect.stringMatching(/schema\.ts: missing \(run `node bin\/lookout\.mjs api build`\)$/),
      ]);
      await writeApiFiles(files);
      expect(await apiDrift(files)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is valid OpenAPI 3.1, and the validator refuses a broken one", async () => {
    const document = await openApiDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(await validate(document)).toEqual({ valid: true });
    const broken = structuredClone(document) as { paths: Record<string, Record<string, { responses?: unknown }>> };
    delete broken.paths["/api/v1/status"]!.get!.responses;
    broken.paths["/api/v1/status"]!.get!.responses = "none";
    expect((await validate(broken)).valid).toBe(false);
  });

  it("lists every route the app registers, each with a unique operationId, a known tag and its credentials", async () => {
    const aggregator = new Aggregator({
      config: parseConfig(
        "targets: [{ id: a, name: A, system: S, instances: [{ name: main, tcp: { host: 127.0.0.1, port: 9 } }] }]\n",
        "t.yml",
        {},
      ),
      dataDir: ":memory:",
      clock: new ManualClock(0),
    });
    const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: "m".repeat(20), LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });
    const app = buildApp({ settings, aggregator });
    const registered: string[] = [];
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) {
        // Fastify adds a HEAD route for every GET, and @fastify/cors `OPTIONS *` for preflights: neither is an API route.
        if (method !== "HEAD" && !(method === "OPTIONS" && route.url === "*"))
          registered.push(`${method} ${route.url.replace(/:(\w+)/g, "{$1}")}`);
      }
    });
    try {
      await app.ready();
      const document = operations(await openApiDocument());
      expect(document.map((o) => o.route).sort()).toEqual(registered.sort());
      expect(registered.length).toBeGreaterThan(15);

      const ids = document.map((o) => o.op.operationId);
      expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const tags = new Set<string>(TAGS.map((t) => t.name));
      for (const { route, op } of document) {
        expect(op.tags?.length, route).toBe(1);
        expect(tags.has(op.tags![0]!), route).toBe(true);
        // A route is declared protected exactly when it can answer 401, and only with a declared scheme.
        expect(op.security, route).toBeDefined();
        expect(op.security!.length > 0, route).toBe("401" in op.responses);
        for (const [code, reply] of Object.entries(op.responses))
          expect((reply as { description: string }).description, `${route} ${code}`).not.toBe("Default Response");
        for (const requirement of op.security!)
          for (const scheme of Object.keys(requirement)) expect(scheme in SECURITY_SCHEMES, route).toBe(true);
      }
    } finally {
      await app.close();
      await aggregator.close();
    }
  });

  it("declares the credentials each route enforces: refused without them, accepted with the declared scheme's", async () => {
    const secret = "a-secret-for-the-document-test-0123456789";
    const aggregator = new Aggregator({
      config: parseConfig(
        `
admin: { jwt: { hs256_secret_env: DOC_TEST_JWT_SECRET, issuer: lookout, audience: lookout-aggregator } }
targets: [{ id: a, name: A, system: S, instances: [{ name: main, tcp: { host: 127.0.0.1, port: 9 } }] }]
`,
        "t.yml",
        {},
      ),
      dataDir: ":memory:",
      clock: new ManualClock(Date.now()),
      env: { DOC_TEST_JWT_SECRET: secret },
    });
    const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: "m".repeat(20), LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });
    const jwt = await new SignJWT({ scope: "lookout:admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("lookout")
      .setAudience("lookout-aggregator")
      .setSubject("document-test")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(secret));
    const credential: Record<string, string> = {
      metricsToken: settings.metricsToken,
      adminToken: settings.adminToken,
      adminJwt: jwt,
    };
    // Valid path parameters; "nope" names no flow, so nothing is run.
    const PARAMS: Record<string, string> = { id: "1", flow: "nope" };
    const app = buildApp({ settings, aggregator });
    try {
      for (const { route, op } of operations(await openApiDocument())) {
        const [method, path] = route.split(" ") as ["GET" | "POST" | "DELETE", string];
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => PARAMS[name] ?? "x");
        const anonymous = await app.inject({ method, url });
        const scheme = Object.keys(op.security?.[0] ?? {})[0];
        if (!scheme) {
          expect(anonymous.statusCode, route).not.toBe(401);
          continue;
        }
        expect(anonymous.statusCode, route).toBe(401);
        const authorized = await app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${credential[scheme]}` },
        });
        expect(authorized.statusCode, `${route} with ${scheme}`).not.toBe(401);
        expect(authorized.statusCode, `${route} with ${scheme}`).not.toBe(403);
      }
    } finally {
      await app.close();
      await aggregator.close();
    }
  });

  it("is served at /api/openapi.json without credentials, as committed, by an app of any config", async () => {
    const aggregator = new Aggregator({
      config: parseConfig(
        `
cors: { origins: ["https://dash.example.com"] }
synthetics:
  urls: { automatrix: "http://10.1.2.3:8001", relaycore: "http://10.1.2.3:8002", neuroweaver: "http://10.1.2.3:8003" }
targets:
  - { id: b, name: B, system: T, public: false, instances: [{ name: main, http: { url: "http://10.1.2.3:1/" } }] }
`,
        "t.yml",
        {},
      ),
      dataDir: ":memory:",
      clock: new ManualClock(Date.parse("2026-12-04T00:00:00Z")),
    });
    const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: "m".repeat(20), LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });
    const app = buildApp({ settings, aggregator });
    try {
      const response = await app.inject({ url: OPENAPI_ROUTE });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(response.json()).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, "utf8")));
    } finally {
      await app.close();
      await aggregator.close();
    }
  });
});
