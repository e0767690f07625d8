/**
 * Validates a dashboard (the JSON Grafana's file provider loads) against the JSON schemas the Grafana foundation SDK's
 * repository publishes, vendored in foundation-sdk-schemas/ (version and licence in its README.md): the dashboard
 * schema for the model, and for each panel the schema of its kind for `options` and `fieldConfig.defaults.custom`, the
 * plugin-owned parts the dashboard schema leaves open. A panel kind without a vendored schema is an error too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { REPO_ROOT } from "../../shared/index.js";

const SCHEMA_DIR = join(REPO_ROOT, "testkit", "grafana", "foundation-sdk-schemas");

type JsonSchema = { definitions: Record<string, unknown> } & Record<string, unknown>;

const load = (name: string): JsonSchema =>
  JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.jsonschema.json`), "utf8")) as JsonSchema;

// The SDK's schemas use keywords ajv's strict mode rejects (descriptions beside $ref); `date-time` strings are
// Grafana's own bookkeeping (created/updated), accepted as any string.
const ajv = new Ajv({ allErrors: true, strict: false, formats: { "date-time": true } });

const validateDashboard = ajv.compile(load("dashboard"));

/** Panel type → the schema file of its kind ("state-timeline" is statetimeline.jsonschema.json). */
const PANEL_KINDS = ["stat", "timeseries", "table", "text", "state-timeline"] as const;

interface PanelValidators {
  options: ValidateFunction;
  custom?: ValidateFunction;
}

const panelValidators = new Map<string, PanelValidators>(
  PANEL_KINDS.map((kind) => {
    const schema = load(kind.replace("-", ""));
    const part = (definition: string) => ajv.compile({ ...schema, $ref: `#/definitions/${definition}` });
    return [
      kind,
      { options: part("Options"), custom: schema.definitions.FieldConfig ? part("FieldConfig") : undefined },
    ];
  }),
);

const describeError = (prefix: string) => (e: ErrorObject) => {
  const extra = e.keyword === "additionalProperties" ? ` (${String(e.params.additionalProperty)})` : "";
  return `${prefix}${e.instancePath}`.replace(/^$/, "/") + `: ${e.message ?? "invalid"}${extra}`;
};

interface PanelJson {
  type?: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  panels?: PanelJson[];
}

/** Schema errors of a dashboard, each as "<JSON pointer>: <message>"; empty when valid. */
export function dashboardSchemaErrors(dashboard: unknown): string[] {
  const errors: string[] = [];
  if (!validateDashboard(dashboard)) {
    // A panel that fails matches neither of the schema's oneOf branches (Panel, RowPanel): keep the branch that
    // fits its type, so a typo in a panel reads as one error, not a dozen about rows.
    const all = validateDashboard.errors ?? [];
    const isRow = (path: string) => {
      const m = /^\/panels\/(\d+)/.exec(path);
      const panel = m ? (dashboard as { panels?: PanelJson[] }).panels?.[Number(m[1])] : undefined;
      return panel?.type === "row";
    };
    const relevant = all.filter((e) => {
      if (e.keyword === "oneOf") return false;
      const path = e.schemaPath;
      if (path.includes("/RowPanel/")) return isRow(e.instancePath);
      if (path.includes("/Panel/")) return !isRow(e.instancePath);
      return true;
    });
    errors.push(...[...new Set((relevant.length > 0 ? relevant : all).map(describeError("")))]);
  }
  const panels = ((dashboard as { panels?: PanelJson[] }).panels ?? []).flatMap((p, i) => [
    { panel: p, at: `/panels/${i}` },
    ...(p.panels ?? []).map((inner, j) => ({ panel: inner, at: `/panels/${i}/panels/${j}` })),
  ]);
  for (const { panel, at } of panels) {
    if (panel.type === "row" || panel.type === undefined) continue;
    const validators = panelValidators.get(panel.type);
    if (!validators) {
      errors.push(`${at}/type: no vendored schema for panel type ${JSON.stringify(panel.type)}`);
      continue;
    }
    if (!validators.options(panel.options ?? {})) {
      errors.push(...(validators.options.errors ?? []).map(describeError(`${at}/options`)));
    }
    const custom = panel.fieldConfig?.defaults?.custom;
    if (validators.custom && custom !== undefined && !validators.custom(custom)) {
      errors.push(...(validators.custom.errors ?? []).map(describeError(`${at}/fieldConfig/defaults/custom`)));
    }
  }
  return errors;
}
