/** Every alert in alerts/rules/ has a section in docs/runbook.md, and its runbook_url points at that section. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../shared/index.js";

interface RuleFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

const rulesDir = join(REPO_ROOT, "alerts", "rules");
const alerts = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".yml"))
  .flatMap((f) => (parse(readFileSync(join(rulesDir, f), "utf8")) as RuleFile).groups.flatMap((g) => g.rules))
  .filter((r) => r.alert);
const runbook = readFileSync(join(REPO_ROOT, "docs", "runbook.md"), "utf8");

describe("alert runbook", () => {
  it.each(alerts.map((a) => [a.alert!, a]))("has a section for %s, linked from the alert", (name, alert) => {
    expect(runbook).toMatch(new RegExp(`^## ${name}$`, "m"));
    expect(alert.annotations?.runbook_url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
  });
});
