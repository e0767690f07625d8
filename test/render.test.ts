/**
 * `lookout render`, as compose's lookout-config service runs it: the filled-in configs, the web configuration readable
 * by the containers' users, the stack's certificates; and a refusal, before anything is written, without a usable
 * web password.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderValues, resolvePorts, loadSecrets, toolPaths } from "../stack/index.js";
import { homeLayout } from "../shared/index.js";
import { lookout, requireTools } from "../testkit/index.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-render-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// What compose's lookout-config service sets, here the native stack's values.
const layout = homeLayout(join(scratch, "home"));
const values = renderValues({
  layout,
  ports: resolvePorts({}),
  secrets: loadSecrets(layout.secrets, {}),
  tools: toolPaths(),
  retention: "30d",
});

describe("lookout render", () => {
  it("writes the configs, a web configuration promtool accepts and the stack's certificates", () => {
    const { promtool } = requireTools("promtool");
    const passwordFile = join(scratch, "web_password");
    writeFileSync(passwordFile, "a-web-password-of-32-characters!\n");
    const out = join(scratch, "rendered");
    const result = lookout(["render", "--out", out], {
      ...process.env,
      ...values,
      LOOKOUT_WEB_PASSWORD_FILE: passwordFile,
    });
    expect(result.status, result.output).toBe(0);
    for (const file of ["prometheus.yml", "alertmanager.yml", "web-config.yml", "tls/ca.pem", "tls/server.pem"]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, "web-config.yml"), "utf8")).not.toContain("a-web-password");
    expect(statSync(join(out, "web-config.yml")).mode & 0o777).toBe(0o644);
    const check = spawnSync(promtool, ["check", "web-config", join(out, "web-config.yml")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  const shortPassword = () => {
    const file = join(scratch, "short_password");
    writeFileSync(file, "short\n");
    return { LOOKOUT_WEB_PASSWORD_FILE: file };
  };
  it.each([
    ["no password file", () => ({}), "render needs LOOKOUT_WEB_PASSWORD_FILE"],
    [
      "a missing file",
      () => ({ LOOKOUT_WEB_PASSWORD_FILE: "/nonexistent/web_password" }),
      "LOOKOUT_WEB_PASSWORD_FILE=/nonexistent/web_password: ENOENT",
    ],
    ["a short password", shortPassword, "the web password needs at least 16 characters"],
  ])("refuses %s before writing anything", (_case, env: () => Record<string, string>, message) => {
    const out = join(scratch, `refused-${_case.replaceAll(" ", "-")}`);
    const base: NodeJS.ProcessEnv = { ...process.env, ...values };
    delete base.LOOKOUT_WEB_PASSWORD_FILE;
    const result = lookout(["render", "--out", out], { ...base, ...env() });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(message);
    expect(existsSync(out)).toBe(false);
  });
});
