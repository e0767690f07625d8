/** The admin section of the aggregator's config: defaults, and every mistake reported with file, line and path. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.js";
import { JwtVerifier } from "./jwt.js";

const targets = `targets:\n  - id: api\n    instances: [{ name: main, tcp: { host: 127.0.0.1, port: 1 } }]\n`;
const withAdmin = (admin: string) => `${targets}admin:\n${admin}`;

describe("admin config", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("applies defaults and leaves the admin API off without a jwt section", () => {
    expect(parseConfig(targets, "c.yml", {}).admin).toEqual({ jwt: undefined, alertmanager: undefined });
    const config = parseConfig(
      withAdmin(
        `  jwt: { jwks_url: "https://idp.example/jwks.json", issuer: https://idp.example, audience: lookout }\n  alertmanager: { url: "http://127.0.0.1:9093/" }\n`,
      ),
      "c.yml",
      {},
    );
    expect(config.admin).toEqual({
      jwt: {
        hs256SecretFile: undefined,
        hs256SecretEnv: undefined,
        jwksUrl: "https://idp.example/jwks.json",
        issuer: "https://idp.example",
        audience: "lookout",
        clockSkewSeconds: 30,
        writeClaim: "scope",
        writeValue: "lookout:admin",
        location: "c.yml:5:8",
      },
      alertmanager: { url: "http://127.0.0.1:9093", timeoutMs: 5_000, headers: {} },
    });
  });

  it.each([
    [
      "  jwt: { issuer: a, audience: b }\n",
      "c.yml:5:8: /admin/jwt: needs a key: hs256_secret_file, hs256_secret_env or jwks_url",
    ],
    ["  jwt: { jwks_url: ftp://x, issuer: a, audience: b }\n", '/admin/jwt/jwks_url: must match pattern "^https?://"'],
    ["  jwt: { hs256_secret_env: lower, issuer: a, audience: b }\n", "/admin/jwt/hs256_secret_env: must match pattern"],
    ["  jwt: { hs256_secret_env: S, audience: b }\n", '/admin/jwt: missing required setting "issuer"'],
    [
      "  jwt: { hs256_secret_env: S, issuer: a, audience: b, clock_skew: soon }\n",
      "/admin/jwt/clock_skew: must match pattern",
    ],
    ["  jwt: { hs256_secret_env: S, issuer: a, audience: b, roles: x }\n", '/admin/jwt/roles: unknown setting "roles"'],
    ["  alertmanager: { port: 9093 }\n", '/admin/alertmanager: missing required setting "url"'],
  ])("refuses %j", (admin, message) => {
    expect(() => parseConfig(withAdmin(admin), "c.yml", {})).toThrow(message);
  });

  it("reads the HS256 secret from a file or the environment, and refuses a missing or short one", () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-jwt-"));
    dirs.push(dir);
    const file = join(dir, "secret");
    const fromFile = parseConfig(
      withAdmin(`  jwt:\n    hs256_secret_file: ${file}\n    issuer: a\n    audience: b\n`),
      "c.yml",
      {},
    ).admin.jwt!;
    expect(() => new JwtVerifier(fromFile, {})).toThrow(
      `c.yml:6:5: /admin/jwt/hs256_secret_file: cannot read ${file}: ENOENT`,
    );
    writeFileSync(file, "short\n");
    expect(() => new JwtVerifier(fromFile, {})).toThrow("the HS256 secret is 5 bytes; it needs at least 32");
    writeFileSync(file, `${"k".repeat(32)}\n`);
    expect(() => new JwtVerifier(fromFile, {})).not.toThrow();

    const fromEnv = parseConfig(
      withAdmin(`  jwt: { hs256_secret_env: MY_SECRET, issuer: a, audience: b }\n`),
      "c.yml",
      {},
    ).admin.jwt!;
    expect(() => new JwtVerifier(fromEnv, {})).toThrow(
      "/admin/jwt/hs256_secret_env: environment variable MY_SECRET is not set",
    );
    expect(() => new JwtVerifier(fromEnv, { MY_SECRET: "s".repeat(40) })).not.toThrow();
  });
});
