/** `lookout admin token` through the compiled CLI: the token it prints is accepted by the aggregator's verifier. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JwtVerifier, parseConfig } from "../health-aggregator/index.js";
import { REPO_ROOT } from "../shared/index.js";
import { aggregatorConfigPlaceholders, resolvePorts } from "../stack/index.js";
import { lookout } from "../testkit/index.js";

describe("lookout admin token", () => {
  const home = mkdtempSync(join(tmpdir(), "lookout-admin-token-"));
  const secret = "generated-by-the-stack-0123456789abcdef";
  mkdirSync(join(home, "secrets"));
  writeFileSync(join(home, "secrets", "admin_jwt_secret"), `${secret}\n`, { mode: 0o600 });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOOKOUT_HOME: home };
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const file = join(REPO_ROOT, "health-aggregator", "lookout.yml");
  const config = parseConfig(readFileSync(file, "utf8"), file, aggregatorConfigPlaceholders(resolvePorts({})));
  // The aggregator of the native stack: the shipped config, the secret the stack passes in its environment.
  const verifier = new JwtVerifier(config.admin.jwt!, { LOOKOUT_ADMIN_JWT_SECRET: secret });

  it("mints a token the shipped config accepts for writes, or read-only", async () => {
    const minted = lookout(["admin", "token", "--subject", "oncall"], env);
    expect(minted.status).toBe(0);
    // The token is stdout's only line (bin/lookout.mjs may also say on stderr that it recompiled).
    const last = (output: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/m.exec(output)?.[0] ?? output;
    expect(await verifier.verify(last(minted.output))).toEqual({ subject: "oncall", canWrite: true });
    const readOnly = lookout(["admin", "token", "--read-only", "--ttl", "1m"], env);
    expect(await verifier.verify(last(readOnly.output))).toMatchObject({ canWrite: false });
  });

  it("refuses a bad lifetime, a missing secret and an unknown subcommand, and has --help", () => {
    expect(lookout(["admin", "token", "--ttl", "2d"], env)).toMatchObject({
      status: 2,
      output: expect.stringContaining("--ttl must be between 1s and 24h") as string,
    });
    const empty = mkdtempSync(join(tmpdir(), "lookout-admin-token-empty-"));
    expect(lookout(["admin", "token"], { ...env, LOOKOUT_HOME: empty })).toMatchObject({
      status: 1,
      output: expect.stringContaining("start the stack once so it generates") as string,
    });
    rmSync(empty, { recursive: true, force: true });
    expect(lookout(["admin", "nope"], env).status).toBe(2);
    expect(lookout(["admin", "--help"], env)).toMatchObject({
      status: 0,
      output: expect.stringContaining("Usage: lookout admin token") as string,
    });
  });
});
