import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { placeholders, renderTemplate } from "./render.js";
import { renderValues } from "./components.js";
import { homeLayout, REPO_ROOT } from "../shared/index.js";
import { resolvePorts } from "./ports.js";
import { toolPaths } from "./tools.js";
import type { Secrets } from "./secrets.js";

describe("renderTemplate", () => {
  it("fills placeholders", () => {
    expect(renderTemplate("a: ${FOO}\nb: ${BAR}", { FOO: "1", BAR: "two" }, "t.yml")).toBe("a: 1\nb: two");
  });

  it("keeps $${NAME} as a literal ${NAME}", () => {
    expect(renderTemplate("x: $${FOO}", {}, "t.yml")).toBe("x: ${FOO}");
  });

  it("leaves Prometheus templating alone", () => {
    expect(renderTemplate('summary: "{{ $labels.job }} ${A}"', { A: "a" }, "t.yml")).toBe(
      'summary: "{{ $labels.job }} a"',
    );
  });

  it("refuses unset and empty values, naming file and line", () => {
    expect(() => renderTemplate("a: 1\nb: ${MISSING}\nc: ${EMPTY}", { EMPTY: "" }, "conf.yml")).toThrow(
      /conf\.yml:2: \$\{MISSING\} has no value\nconf\.yml:3: \$\{EMPTY\} has no value/,
    );
  });
});

describe("the committed templates", () => {
  const fakeSecret = { value: "x", file: "/secrets/x", source: "generated" as const };
  const secrets = {
    otlp_token: fakeSecret,
    metrics_token: fakeSecret,
    admin_token: fakeSecret,
    admin_jwt_secret: fakeSecret,
    postgres_password: fakeSecret,
    redis_password: fakeSecret,
    web_password: fakeSecret,
    synthetic_password: fakeSecret,
  } satisfies Secrets;
  const values = renderValues({
    layout: homeLayout("/tmp/x"),
    ports: resolvePorts({}),
    secrets,
    tools: toolPaths(),
    retention: "30d",
  });

  it.each([["prometheus/prometheus.yml"], ["alerts/alertmanager.yml"]])(
    "%s only uses placeholders the stack fills",
    (file) => {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      expect(placeholders(text).filter((name) => !(name in values))).toEqual([]);
    },
  );
});
