import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSecrets } from "./secrets.js";

describe("loadSecrets", () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-secrets-"));
    dirs.push(dir);
    return join(dir, "secrets");
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("generates each secret once, stores it 0600, and reuses it", () => {
    const dir = scratch();
    const first = loadSecrets(dir, {});
    expect(first.otlp_token.source).toBe("generated");
    expect(first.otlp_token.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.otlp_token.value).not.toBe(first.metrics_token.value);
    expect(statSync(first.otlp_token.file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const second = loadSecrets(dir, {});
    expect(second.otlp_token.source).toBe("stored");
    expect(second.otlp_token.value).toBe(first.otlp_token.value);
  });

  it("prefers the environment and writes its value to the file for file-reading components", () => {
    const dir = scratch();
    const secrets = loadSecrets(dir, { LOOKOUT_METRICS_TOKEN: "from-env-token-value" });
    expect(secrets.metrics_token).toMatchObject({ source: "env", value: "from-env-token-value" });
    expect(readFileSync(secrets.metrics_token.file, "utf8").trim()).toBe("from-env-token-value");
  });
});
