import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../shared/index.js";
import { aggregatorConfigPlaceholders, resolvePorts } from "../../../stack/index.js";
import { parseConfig, parseDuration } from "./load.js";
import { configSchema } from "./schema.js";

const minimal = `
targets:
  - id: relaycore
    instances:
      - name: main
        http: { url: "http://127.0.0.1:8002/health" }
`;

describe("aggregator config", () => {
  it("applies defaults", () => {
    const config = parseConfig(minimal, "c.yml", {});
    expect(config.targets[0]).toMatchObject({
      id: "relaycore",
      name: "relaycore",
      intervalMs: 15_000,
      timeoutMs: 5_000,
      retries: 0,
      failuresToDown: 2,
      successesToUp: 2,
      dependsOn: [],
      public: true,
      instances: [{ name: "main", role: "primary", check: { kind: "http", method: "GET", format: "lookout" } }],
    });
    expect(config.history).toEqual({ rawDays: 7, minuteDays: 30, hourDays: 366 });
  });

  it("expands ${ENV} in values and refuses an unset variable", () => {
    const text = `targets:\n  - id: db\n    instances:\n      - name: main\n        postgres: { url: "postgresql://u:\${PGPASS}@h:5432/d" }\n`;
    expect(parseConfig(text, "c.yml", { PGPASS: "s3cret" }).targets[0]!.instances[0]!.check).toEqual({
      kind: "postgres",
      url: "postgresql://u:s3cret@h:5432/d",
    });
    expect(() => parseConfig(text, "c.yml", {})).toThrow(
      /c\.yml:5:\d+: \/targets\/0\/instances\/0\/postgres\/url: environment variable PGPASS is not set/,
    );
  });

  it.each([
    ["a YAML syntax error", "targets:\n  - id: [unclosed\n", /c\.yml:\d+:\d+: invalid YAML/],
    [
      "an unknown setting, with its line",
      `${minimal}    intervl: 10s\n`,
      /c\.yml:7:14: \/targets\/0\/intervl: unknown setting "intervl"/,
    ],
    [
      "a bad duration",
      minimal.replace("- id: relaycore", "- id: relaycore\n    interval: soon"),
      /c\.yml:4:15: \/targets\/0\/interval: must match pattern/,
    ],
    [
      "an instance without a check",
      "targets:\n  - id: a\n    instances:\n      - name: main\n",
      /\/targets\/0\/instances\/0: an instance needs exactly one check/,
    ],
    [
      "an unknown format",
      minimal.replace('http: { url: "http://127.0.0.1:8002/health" }', 'http: { url: "http://x/h", format: xml }'),
      /format: must be one of "lookout", "health\+json", "status"/,
    ],
    ["no targets", "targets: []\n", /\/targets: must NOT have fewer than 1 items/],
  ])("refuses %s and says where", (_what, text, message) => {
    expect(() => parseConfig(text, "c.yml", {})).toThrow(message);
  });

  it("refuses duplicate ids, unknown dependencies, cycles and a timeout not below the interval — all at once", () => {
    const text = `
targets:
  - id: a
    depends_on: [b]
    instances: [{ name: m, tcp: { host: h, port: 1 } }]
  - id: b
    depends_on: [a, ghost]
    instances: [{ name: m, tcp: { host: h, port: 1 } }]
  - id: c
    interval: 5s
    timeout: 5s
    instances: [{ name: m, tcp: { host: h, port: 1 } }]
  - id: c
    instances: [{ name: m, tcp: { host: h, port: 1 } }]
`;
    let message = "";
    try {
      parseConfig(text, "c.yml", {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/\/targets\/3\/id: duplicate target id "c"/);
    expect(message).toMatch(/\/targets\/1\/depends_on\/1: unknown target "ghost"/);
    expect(message).toMatch(/dependency cycle: (a → b → a|b → a → b)/);
    expect(message).toMatch(
      /c\.yml:11:\d+: \/targets\/2\/timeout: timeout \(5000 ms\) must be shorter than the interval \(5000 ms\)/,
    );
  });

  it("parses durations", () => {
    expect([
      parseDuration("500ms"),
      parseDuration("15s"),
      parseDuration("5m"),
      parseDuration("1h"),
      parseDuration("30d"),
    ]).toEqual([500, 15_000, 300_000, 3_600_000, 2_592_000_000]);
  });

  it("publishes the schema for editors, identical to the one in code", () => {
    const published: unknown = JSON.parse(
      readFileSync(join(REPO_ROOT, "health-aggregator", "config.schema.json"), "utf8"),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema)));
  });

  it("accepts the shipped config", () => {
    const file = join(REPO_ROOT, "health-aggregator", "lookout.yml");
    const config = parseConfig(readFileSync(file, "utf8"), file, aggregatorConfigPlaceholders(resolvePorts({})));
    expect(config.targets.map((t) => t.id)).toEqual(
      expect.arrayContaining(["automatrix", "relaycore", "neuroweaver", "postgres", "redis"]),
    );
  });
});
