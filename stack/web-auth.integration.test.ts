/** The basic-auth web configuration: a bcrypt hash of the password, accepted by Prometheus's own checker. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { requireTools } from "../testkit/index.js";
import { webAuthorization, webConfigYaml, writeWebConfig } from "./web-auth.js";

const dir = mkdtempSync(join(tmpdir(), "lookout-web-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("web auth", () => {
  it("holds the bcrypt hash of the password for the user lookout, never the password", () => {
    const text = webConfigYaml("a-password-of-24-chars!!");
    expect(text).not.toContain("a-password-of-24-chars!!");
    const hash = JSON.parse(/lookout: (".*")/.exec(text)![1]!) as string;
    expect(bcrypt.compareSync("a-password-of-24-chars!!", hash)).toBe(true);
    expect(bcrypt.compareSync("another", hash)).toBe(false);
  });

  it("writes a file only its owner reads, which promtool check web-config accepts", () => {
    const { promtool } = requireTools("promtool");
    const file = join(dir, "web-config.yml");
    writeWebConfig(file, "a-password-of-24-chars!!");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toMatch(/^basic_auth_users:/m);
    const result = spawnSync(promtool, ["check", "web-config", file], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
  });

  it("builds the header clients send", () => {
    expect(webAuthorization("pw")).toBe(`Basic ${Buffer.from("lookout:pw").toString("base64")}`);
  });
});
