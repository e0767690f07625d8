// Loading the sentinel's config: defaults, secrets from files and variables, and errors that name the field.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";
import { parseSentinelConfig } from "./config.js";
import { sentinelConfigSchema } from "./schema.js";

const dir = mkdtempSync(join(tmpdir(), "lookout-sentinel-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secretFile = (name: string, value: string) => {
  const file = join(dir, name);
  writeFileSync(file, `${value}\n`);
  return file;
};

const minimal = (token: string) => `
heartbeat:
  token_file: ${token}
notify:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:9/hook" }
`;

describe("sentinel config", () => {
  it("applies the documented defaults and reads the token from its file", () => {
    const config = parseSentinelConfig(minimal(secretFile("token", "s3cret")), "s.yml", {});
    expect(config).toMatchObject({
      name: "lookout-sentinel",
      listen: { host: "0.0.0.0", port: 9095 },
      heartbeat: { intervalMs: 60_000, graceMs: 30_000, alertname: "Watchdog", token: "s3cret" },
      probe: undefined,
      notify: { withinMs: 30_000, renotifyMs: 3_600_000 },
      metricsToken: undefined,
    });
    expect(Object.isFrozen(config.notify.receivers)).toBe(true);
  });

  it("loads the shipped example with its secrets in place", () => {
    const file = join(REPO_ROOT, "sentinel", "sentinel.example.yml");
    const text = readFileSync(file, "utf8")
      .replace("/etc/lookout-sentinel/heartbeat_token", secretFile("hb", "t"))
      .replace("/etc/lookout-sentinel/smtp_password", secretFile("pw", "p"))
      .replace("/etc/lookout-sentinel/chat_webhook_url", secretFile("chat", "https://chat.example.com/hook/x"));
    const config = parseSentinelConfig(text, file, { SENTINEL_WEBHOOK_TOKEN: "w", SENTINEL_METRICS_TOKEN: "m" });
    expect(config.notify.receivers.map((r) => r.kind)).toEqual(["webhook", "email", "chat"]);
    expect(config.notify.receivers[1]).toMatchObject({ host: "smtp.example.com", port: 587, requireTls: true });
    expect(config.probe).toMatchObject({ expect: "json", intervalMs: 30_000, timeoutMs: 5_000, failures: 3 });
  });

  it.each([
    ["an unknown setting", `${minimal("/x")}\nfoo: 1`, "/foo: unknown setting"],
    [
      "a bad duration",
      minimal("/x").replace("heartbeat:", "heartbeat:\n  interval: 5 minutes"),
      "/heartbeat/interval: must match pattern",
    ],
    [
      "a missing token",
      minimal("/x").replace(/token_file: .*/, "grace: 1s"),
      "/heartbeat: needs token_file or token_env",
    ],
    [
      "an unreadable token file",
      minimal("/nonexistent/token"),
      "/heartbeat/token_file: cannot read /nonexistent/token",
    ],
    [
      "an unset token variable",
      minimal("/x").replace(/token_file: .*/, "token_env: NOPE"),
      "/heartbeat/token_env: $NOPE is empty or unset",
    ],
    [
      "two secrets for one field",
      minimal("/x").replace(/token_file: .*/, "token_file: /x\n  token_env: T"),
      "/heartbeat/token_env: give token_file or token_env, not both",
    ],
    [
      "two receiver kinds",
      minimal("/x").replace(/webhook: .*/, 'email: { smarthost: "m:25", from: a@b, to: [c@d] }\n      chat: {}'),
      "needs exactly one of webhook, email, chat",
    ],
    [
      "a chat URL in the file",
      minimal("/x").replace(/webhook: .*/, 'chat: { url: "http://c" }'),
      "/notify/receivers/0/chat/url: unknown setting",
    ],
    [
      "a probe timeout not below its interval",
      `${minimal("/x")}\nprobe: { url: "http://s/api/v1/status", interval: 5s, timeout: 5s }`,
      "/probe/timeout: timeout (5000 ms) must be shorter than the interval (5000 ms)",
    ],
    [
      "a bad expect",
      `${minimal("/x")}\nprobe: { url: "http://s", expect: xml }`,
      '/probe/expect: must be one of "json", "html"',
    ],
  ])("names the field for %s", (_what, text, message) => {
    const token = secretFile("t", "tok");
    expect(() => parseSentinelConfig(text.replace("token_file: /x", `token_file: ${token}`), "s.yml", {})).toThrow(
      message,
    );
  });

  it("says where in the file the problem is", () => {
    expect(() => parseSentinelConfig(`${minimal("/nonexistent")}`, "s.yml", {})).toThrow(
      /^invalid sentinel config:\ns\.yml:3:15: /,
    );
  });

  it("never prints a secret's value", () => {
    const file = secretFile("chat-url", "ftp://hooks.example.com/T000/SECRET");
    const text = minimal(secretFile("t2", "tok")).replace(/webhook: .*/, `chat: { url_file: ${file} }`);
    expect(() => parseSentinelConfig(text, "s.yml", {})).toThrow(/does not start with http/);
    try {
      parseSentinelConfig(text, "s.yml", {});
    } catch (error) {
      expect((error as Error).message).not.toContain("SECRET");
    }
  });

  it("publishes the schema for editors, identical to the one in code", () => {
    const published: unknown = JSON.parse(readFileSync(join(REPO_ROOT, "sentinel", "config.schema.json"), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(sentinelConfigSchema)));
  });
});
