/**
 * The `synthetics:` section of the aggregator's config: which built-in flows run, their schedule and recheck overrides, the base
 * URL of each system they call, and the Jaeger UI that run links point at. Validated with the rest of the file;
 * problems name the path (an unknown flow lists the known ones).
 */
import cron from "node-cron";
import { variablesIn, isHttpStep, type Flow } from "../../../synthetics/index.js";

export interface SyntheticFlowConfig {
  name: string;
  schedule: string;
  /** Delay of the recheck after a failed run (the flow's own unless overridden); undefined: no rechecks. */
  recheckMs: number | undefined;
}

export interface SyntheticsConfig {
  /** Public base URL of the Jaeger UI; each run links to `<url>/trace/<trace id>`. */
  jaegerUiUrl: string | undefined;
  urls: Record<string, string>;
  /** The enabled flows, with their schedule (the flow's own unless overridden). */
  flows: SyntheticFlowConfig[];
}

export const syntheticsConfigSchema = {
  type: "object",
  additionalProperties: false,
  description: "Synthetic flows (synthetics/flows) the aggregator runs on their cron schedules.",
  properties: {
    jaeger_ui_url: {
      type: "string",
      pattern: "^https?://",
      description: "Base URL of the Jaeger UI, for the trace link of every run on the status page and in the API.",
    },
    urls: {
      type: "object",
      description: "Base URL of each system the flows call, by name ({{urls.<name>}} in a flow).",
      propertyNames: { pattern: "^[a-z][a-z0-9_-]*$" },
      additionalProperties: { type: "string", pattern: "^https?://" },
    },
    flows: {
      type: "object",
      description: "Per flow: enabled (default true) and a schedule overriding the flow's own. Unlisted flows run.",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          enabled: { type: "boolean", default: true },
          schedule: { type: "string", description: 'A cron expression in UTC, e.g. "*/5 * * * *".' },
          recheck_seconds: {
            type: "integer",
            minimum: 0,
            maximum: 600,
            description:
              "After a failed run, run again this many seconds later until the flow passes or reaches its alert threshold (overrides the flow's recheckMs; 0: wait for the schedule).",
          },
        },
      },
    },
  },
} as const;

export interface RawSyntheticsConfig {
  jaeger_ui_url?: string;
  urls?: Record<string, string>;
  flows?: Record<string, { enabled?: boolean; schedule?: string; recheck_seconds?: number }>;
}

/** What the schema cannot check: known flow names, cron syntax, and a URL for every system an enabled flow calls. */
export function syntheticsProblems(
  raw: RawSyntheticsConfig,
  catalogue: readonly Flow[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const known = new Map(catalogue.map((f) => [f.name, f]));
  for (const [name, entry] of Object.entries(raw.flows ?? {})) {
    if (!known.has(name))
      problems.push({
        path: `/synthetics/flows/${name}`,
        message: `unknown flow "${name}" (known: ${[...known.keys()].join(", ")})`,
      });
    if (entry.schedule !== undefined && !cron.validate(entry.schedule))
      problems.push({
        path: `/synthetics/flows/${name}/schedule`,
        message: `"${entry.schedule}" is not a valid cron expression (e.g. "*/5 * * * *")`,
      });
  }
  for (const flow of enabledFlows(raw, catalogue)) {
    const needed = new Set(
      [...flow.steps, ...(flow.cleanup ?? [])]
        .filter(isHttpStep)
        .flatMap((s) => variablesIn(JSON.stringify(s.request)))
        .filter((v) => v.startsWith("urls."))
        .map((v) => v.slice(5)),
    );
    for (const system of needed)
      if (!raw.urls?.[system])
        problems.push({
          path: "/synthetics/urls",
          message: `flow "${flow.name}" calls ${system}: set synthetics.urls.${system} (or disable the flow)`,
        });
  }
  return problems;
}

function enabledFlows(raw: RawSyntheticsConfig, catalogue: readonly Flow[]): Flow[] {
  return catalogue.filter((f) => raw.flows?.[f.name]?.enabled !== false);
}

export function toSyntheticsConfig(raw: RawSyntheticsConfig, catalogue: readonly Flow[]): SyntheticsConfig {
  return {
    jaegerUiUrl: raw.jaeger_ui_url?.replace(/\/+$/, ""),
    urls: { ...(raw.urls ?? {}) },
    flows: enabledFlows(raw, catalogue).map((f) => {
      const recheckSeconds = raw.flows?.[f.name]?.recheck_seconds;
      return {
        name: f.name,
        schedule: raw.flows?.[f.name]?.schedule ?? f.schedule,
        recheckMs: recheckSeconds === undefined ? f.recheckMs : recheckSeconds > 0 ? recheckSeconds * 1000 : undefined,
      };
    }),
  };
}
