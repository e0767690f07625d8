/**
 * The admin API's authentication through the front door (inject), with real tokens: HS256 signed with the configured
 * secret, and RS256 signed by a key published as a JWKS by a real HTTP server on port 0 (the identity provider's
 * role). The maintenance windows are tested in maintenance/windows.test.ts, the silences in
 * silences.integration.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { adminSection, bearer, buildAdminApp, hs256, unsigned } from "./test-support/fixture.js";

describe("admin API", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const build = (admin?: string) => buildAdminApp(cleanups, admin);

  describe("authentication", () => {
    it.each([
      ["no Authorization header", () => Promise.resolve(undefined), "requires an Authorization: Bearer"],
      ["a token that is not a JWT", () => Promise.resolve("Bearer not-a-jwt"), "not a JWT"],
      ["a token signed with another secret", async () => `Bearer ${await hs256({}, "x".repeat(40))}`, "signature"],
      [
        "an expired token",
        async () => `Bearer ${await hs256({ expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
        "expired",
      ],
      ["a token for another audience", async () => `Bearer ${await hs256({ aud: "grafana" })}`, "another audience"],
      ["a token from another issuer", async () => `Bearer ${await hs256({ iss: "someone-else" })}`, "another issuer"],
      ["an unsigned token", () => Promise.resolve(`Bearer ${unsigned()}`), "not accepted"],
    ])("answers 401 to %s", async (_what, header, reason) => {
      const { app } = build();
      const authorization = await header();
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/admin/maintenance",
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="lookout-admin"/);
      expect(response.json()).toEqual({ error: "unauthorized", message: expect.stringContaining(reason) as string });
    });

    it("accepts a token expired by less than the clock skew", async () => {
      const { app } = build();
      const token = await hs256({ expiresIn: Math.floor(Date.now() / 1000) - 2 });
      const response = await app.inject({ method: "GET", url: "/api/v1/admin/maintenance", headers: bearer(token) });
      expect(response.statusCode).toBe(200);
    });

    it("answers 403 to a write without the write scope, and lets it read", async () => {
      const { app } = build();
      const token = await hs256({ scope: "openid profile" });
      const read = await app.inject({ method: "GET", url: "/api/v1/admin/maintenance", headers: bearer(token) });
      expect(read.statusCode).toBe(200);
      const write = await app.inject({
        method: "POST",
        url: "/api/v1/admin/maintenance",
        headers: bearer(token),
        payload: { targets: ["relaycore"], end: new Date(Date.now() + 3_600_000).toISOString(), reason: "upgrade" },
      });
      expect(write.statusCode).toBe(403);
      expect(write.headers["www-authenticate"]).toContain('error="insufficient_scope"');
      expect(write.json<{ message: string }>().message).toContain('"lookout:admin" in the token\'s "scope" claim');
    });

    it("answers 503 when no admin.jwt is configured", async () => {
      const { app } = build("");
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/admin/maintenance",
        headers: bearer(await hs256()),
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: "admin_disabled" });
    });

    it("verifies RS256 tokens against a JWKS served over HTTP, with a roles claim", async () => {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
      let fetches = 0;
      const idp: Server = createServer((req, res) => {
        fetches++;
        res.writeHead(req.url === "/.well-known/jwks.json" ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => idp.listen(0, "127.0.0.1", () => r()));
      cleanups.push(() => new Promise((r) => idp.close(() => r())));
      const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
      const { app } = build(
        adminSection({ jwksUrl }).replace("clock_skew: 5s", "clock_skew: 5s\n    write_claim: roles"),
      );
      const sign = (roles: string[], aud = "lookout-aggregator") =>
        new SignJWT({ roles })
          .setProtectedHeader({ alg: "RS256", kid: "key-1" })
          .setIssuer("lookout")
          .setAudience(aud)
          .setSubject("idp-user-1")
          .setExpirationTime("5m")
          .sign(privateKey);
      const create = async (token: string) =>
        app.inject({
          method: "POST",
          url: "/api/v1/admin/maintenance",
          headers: bearer(token),
          payload: {
            systems: ["NeuroWeaver"],
            end: new Date(Date.now() + 3_600_000).toISOString(),
            reason: "db upgrade",
          },
        });
      const created = await create(await sign(["viewer", "lookout:admin"]));
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        state: "active",
        targets: ["neuroweaver", "neuroweaver-db"],
        systems: ["NeuroWeaver"],
        createdBy: "idp-user-1",
      });
      expect(fetches).toBeGreaterThan(0);
      expect((await create(await sign(["viewer"]))).statusCode).toBe(403);
      expect((await create(await sign(["lookout:admin"], "other"))).statusCode).toBe(401);
      // A key the JWKS does not hold: the same claims, signed by a stranger.
      const stranger = await generateKeyPair("RS256");
      const forged = await new SignJWT({ roles: ["lookout:admin"] })
        .setProtectedHeader({ alg: "RS256", kid: "key-1" })
        .setIssuer("lookout")
        .setAudience("lookout-aggregator")
        .setExpirationTime("5m")
        .sign(stranger.privateKey);
      const refused = await create(forged);
      expect(refused.statusCode).toBe(401);
      expect(refused.json<{ message: string }>().message).toContain("signature");
    });
  });
});
