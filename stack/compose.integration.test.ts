/**
 * The compose check against the real compose-spec loader (stack/compose-check, built here if `npm run setup` has not
 * built it yet): the repo's compose file passes, and broken files in a temp dir are refused with messages that say what
 * is wrong.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite } from "../testkit/index.js";
import { COLLECTOR_GOMEMLIMIT } from "./components.js";
import { checkCompose, ensureComposeCheck } from "./compose.js";
import { REPO_ROOT } from "../shared/index.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-compose-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

setUpSuite(async () => {
  await ensureComposeCheck((line) => process.stderr.write(`${line}\n`));
});

/** Writes a compose file into its own folder under scratch (relative paths resolve against that folder). */
function composeFile(name: string, text: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "docker-compose.yml");
  writeFileSync(file, text);
  return file;
}

/** A service that passes every per-service check, for cases that break one thing at a time. */
const goodService = `
    image: busybox:1.36
    restart: unless-stopped
    healthcheck: { test: ["CMD", "true"] }
    deploy: { resources: { limits: { cpus: "0.1", memory: 16M } } }`;

describe("checkCompose", () => {
  it("passes compose/docker-compose.yml", () => {
    expect(checkCompose(join(REPO_ROOT, "compose", "docker-compose.yml"))).toEqual([]);
  });

  it.each([
    {
      name: "a bind mount whose source is missing",
      text: `services:\n  a:${goodService}\n    volumes: ["./missing.yml:/etc/a.yml:ro"]\n`,
      expected: /service "a": bind mount source .*missing\.yml does not exist \(mounted at \/etc\/a\.yml\)/,
    },
    {
      name: "a service without healthcheck, restart policy or limits",
      text: `services:\n  a:\n    image: busybox:1.36\n`,
      expected: [/service "a": no healthcheck/, /service "a": no restart policy/, /service "a": no resource limits/],
    },
    {
      name: "a published internal port",
      text: `services:\n  a:${goodService}\n    ports: ["9093:9093"]\n`,
      expected: /service "a": publishes port 9093/,
    },
    {
      name: "a copy of a native config instead of the file itself",
      text: `services:\n  a:${goodService}\n    volumes: ["./gateway.yaml:/etc/otelcol/gateway.yaml:ro"]\n`,
      files: { "gateway.yaml": "receivers: {}\n" },
      expected: /otel-collector\/gateway\.yaml \(used by the native stack\) is not mounted by any service/,
    },
    {
      name: "a one-shot service that restarts",
      text: `services:\n  lookout-config:\n    image: busybox:1.36\n    restart: always\n    deploy: { resources: { limits: { cpus: "0.1", memory: 16M } } }\n`,
      expected: /service "lookout-config": runs once .* must be "no", not "always"/,
    },
  ])("reports $name", ({ name, text, files, expected }) => {
    const file = composeFile(name.replaceAll(" ", "-"), text);
    for (const [fileName, content] of Object.entries(files ?? {})) writeFileSync(join(file, "..", fileName), content);
    const problems = checkCompose(file);
    for (const pattern of [expected].flat()) expect(problems).toContainEqual(expect.stringMatching(pattern));
  });

  it("reports a file that fails compose-spec schema validation, naming the file", () => {
    const file = composeFile("schema", `services: { a: { image: 1, ports: "x" } }\n`);
    const problems = checkCompose(file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(file);
    expect(problems[0]).toMatch(/services\.a/);
  });

  it("reports a named volume that is not declared", () => {
    const file = composeFile("undeclared-volume", `services:\n  a:${goodService}\n    volumes: ["data:/data"]\n`);
    expect(checkCompose(file)).toContainEqual(expect.stringMatching(/undefined volume "?data"?/));
  });

  it("reports an unset required variable", () => {
    const file = composeFile(
      "required-variable",
      `services:\n  a:${goodService}\n    environment: { A: "\${LOOKOUT_TEST_UNSET_VARIABLE:?set it}" }\n`,
    );
    expect(checkCompose(file)).toEqual([expect.stringMatching(/LOOKOUT_TEST_UNSET_VARIABLE.*set it/)]);
  });

  it("runs the demo services and the load generator as the native stack does", () => {
    const file = join(REPO_ROOT, "compose", "docker-compose.yml");
    // The repo's file passes (first test); a copy that drifts from stack/demo-components.ts does not.
    const text = readFileSync(file, "utf8")
      .replace('command: ["node", "dist/demo/relaycore/server.js"]', 'command: ["node", "dist/demo/relaycore/old.js"]')
      .replace("      LOOKOUT_NEUROWEAVER_URL: http://neuroweaver:8003\n    healthcheck:", "    healthcheck:")
      .replace('OTEL_BSP_SCHEDULE_DELAY: "1000"', 'OTEL_BSP_SCHEDULE_DELAY: "5000"')
      .replace(/\n {2}loadgen:\n(?: {4}.*\n|\s*\n)*?(?=\n# Values come)/, "\n");
    const copy = join(REPO_ROOT, "compose", `.drift-test-${process.pid}.yml`);
    writeFileSync(copy, text);
    try {
      const problems = checkCompose(copy);
      expect(problems).toContainEqual(
        expect.stringMatching(
          /service "relaycore": runs .*old\.js.*, not the native stack's dist\/demo\/relaycore\/server\.js/,
        ),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(/service "relaycore": no LOOKOUT_NEUROWEAVER_URL, which the native stack sets/),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(/service "automatrix": OTEL_BSP_SCHEDULE_DELAY=5000, the native stack has 1000/),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(/the native stack runs loadgen .* compose has no such service/),
      );
    } finally {
      rmSync(copy, { force: true });
    }
  });

  it("reports a collector whose Go memory limit differs from the native stack's", () => {
    const file = join(REPO_ROOT, "compose", "docker-compose.yml");
    const text = readFileSync(file, "utf8");
    const line = `GOMEMLIMIT: ${COLLECTOR_GOMEMLIMIT}`;
    expect(text).toContain(line);
    const copy = join(REPO_ROOT, "compose", `.gomemlimit-test-${process.pid}.yml`);
    writeFileSync(copy, text.replace(line, "GOMEMLIMIT: 900MiB"));
    try {
      expect(checkCompose(copy)).toEqual([
        `service "otel-collector": GOMEMLIMIT=900MiB, the native stack has ${COLLECTOR_GOMEMLIMIT} (stack/components.ts), which gateway.yaml's memory_limiter assumes`,
      ]);
    } finally {
      rmSync(copy, { force: true });
    }
  });

  it("says how to build compose-check when it is missing", () => {
    const env = { ...process.env, LOOKOUT_COMPOSE_CHECK_BIN: join(scratch, "no-such-compose-check") };
    expect(checkCompose(join(REPO_ROOT, "compose", "docker-compose.yml"), env)).toEqual([
      expect.stringContaining("compose-check is not built; run `npm run setup`"),
    ]);
  });
});
