/** The `cors:` section: no cross-origin access by default, exact origins only, a malformed one refused at load. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load.js";

const targets = `
targets:
  - { id: relaycore, instances: [{ name: main, http: { url: "http://127.0.0.1:8002/health" } }] }
`;

describe("cors config", () => {
  it("allows no origin unless configured", () => {
    expect(parseConfig(targets, "c.yml", {}).cors).toEqual({ origins: [] });
  });

  it("keeps each configured origin once, with ${ENV} expanded", () => {
    const text = `cors:\n  origins: ["https://dash.example.com", "http://127.0.0.1:3000", "\${DASH}", "https://dash.example.com"]\n${targets}`;
    expect(parseConfig(text, "c.yml", { DASH: "https://grafana.example.com:8443" }).cors?.origins).toEqual([
      "https://dash.example.com",
      "http://127.0.0.1:3000",
      "https://grafana.example.com:8443",
    ]);
  });

  it.each([
    ["a trailing slash", "https://dash.example.com/", 'write it as the browser sends it, "https://dash.example.com"'],
    ["a path", "https://dash.example.com/app", 'write it as the browser sends it, "https://dash.example.com"'],
    ["the default port spelled out", "https://dash.example.com:443", '"https://dash.example.com"'],
    ["a wildcard", "*", "not a URL"],
    ["a host without a scheme", "dash.example.com", "not a URL"],
    ["another scheme", "ftp://dash.example.com", "scheme ftp: is not http: or https:"],
  ])("refuses %s, naming the setting, the value and its line", (_name, origin, why) => {
    const text = `cors:\n  origins:\n    - "https://ok.example.com"\n    - "${origin}"\n${targets}`;
    let message = "";
    try {
      parseConfig(text, "c.yml", {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`c.yml:4:7: /cors/origins/1: cors.origins: ${JSON.stringify(origin)} is `);
    expect(message).toContain(why);
  });

  it("refuses a value that is not a list of strings", () => {
    expect(() => parseConfig(`cors: { origins: "https://dash.example.com" }\n${targets}`, "c.yml", {})).toThrow(
      /c\.yml:1:\d+: \/cors\/origins: must be array/,
    );
  });
});
