/**
 * The demo services' settings: secrets read from the files compose mounts (`<NAME>_FILE`), and a clear error naming
 * the variable and the path when such a file is missing or empty.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoSettings, loadSecretFiles } from "./settings.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-demo-settings-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function secret(name: string, value: string): string {
  const path = join(scratch, name);
  writeFileSync(path, value);
  return path;
}

const base = {
  LOOKOUT_ADMIN_TOKEN: "admin-token-0123456789",
  LOOKOUT_POSTGRES_URL: "postgresql://lookout@postgres:5432/postgres?sslmode=disable",
  LOOKOUT_REDIS_URL: "redis://redis:6379/2",
};

describe("loadSecretFiles", () => {
  it("fills unset tokens from their _FILE, trimmed, and leaves set ones alone", () => {
    const env: NodeJS.ProcessEnv = {
      LOOKOUT_METRICS_TOKEN_FILE: secret("metrics", "metrics-token-from-file\n"),
      LOOKOUT_ADMIN_TOKEN: "from-env",
      LOOKOUT_ADMIN_TOKEN_FILE: secret("admin", "from-file"),
    };
    loadSecretFiles(env);
    expect(env.LOOKOUT_METRICS_TOKEN).toBe("metrics-token-from-file");
    expect(env.LOOKOUT_ADMIN_TOKEN).toBe("from-env");
    expect(env.LOOKOUT_OTLP_TOKEN).toBeUndefined();
  });

  it.each([
    { name: "a missing file", path: join(scratch, "nope"), expected: /LOOKOUT_OTLP_TOKEN_FILE=.*nope: ENOENT/ },
    {
      name: "an empty file",
      path: secret("empty", " \n"),
      expected: /LOOKOUT_OTLP_TOKEN_FILE=.*empty: the file is empty/,
    },
  ])("refuses $name, naming the variable and the path", ({ path, expected }) => {
    expect(() => loadSecretFiles({ LOOKOUT_OTLP_TOKEN_FILE: path })).toThrow(expected);
  });
});

describe("demoSettings", () => {
  it("puts the password files into the PostgreSQL and Redis URLs, percent-encoded", () => {
    const settings = demoSettings(
      {
        ...base,
        LOOKOUT_POSTGRES_PASSWORD_FILE: secret("pg", "p@ss:w/rd\n"),
        LOOKOUT_REDIS_PASSWORD_FILE: secret("redis", "r#dis"),
      },
      "LOOKOUT_PORT_RELAYCORE",
      8002,
    );
    expect(settings.postgresUrl).toBe("postgresql://lookout:p%40ss%3Aw%2Frd@postgres:5432/postgres?sslmode=disable");
    expect(decodeURIComponent(new URL(settings.postgresUrl).password)).toBe("p@ss:w/rd");
    expect(decodeURIComponent(new URL(settings.redisUrl).password)).toBe("r#dis");
  });

  it("keeps the URLs as given without password files", () => {
    const settings = demoSettings(base, "LOOKOUT_PORT_RELAYCORE", 8002);
    expect(settings.postgresUrl).toBe(base.LOOKOUT_POSTGRES_URL);
    expect(settings.redisUrl).toBe(base.LOOKOUT_REDIS_URL);
    expect(settings.port).toBe(8002);
  });

  it("refuses a password file beside a URL that is not one", () => {
    expect(() =>
      demoSettings(
        { ...base, LOOKOUT_REDIS_URL: "not a url", LOOKOUT_REDIS_PASSWORD_FILE: secret("r2", "x") },
        "LOOKOUT_PORT_RELAYCORE",
        8002,
      ),
    ).toThrow(/LOOKOUT_REDIS_URL is not a URL/);
  });
});
