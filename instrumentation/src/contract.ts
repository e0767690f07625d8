/**
 * The instrumentation contract (instrumentation/contract.json): metric names, types, labels and buckets, the
 * HealthCheckResponse schema, the AI span attributes, the header allowlist and the log fields. This library and the
 * Python one (instrumentation-py) both load that file instead of restating it, and test/conformance checks the
 * services each of them instruments against it, so the two cannot drift apart.
 */
import { readFileSync } from "node:fs";

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  name: string;
  type: MetricType;
  help: string;
  labels: string[];
  buckets?: number[];
}

export interface AttributeSpec {
  name: string;
  type: "string" | "int" | "double";
  optional?: boolean;
  hashed?: boolean;
}

export interface Contract {
  version: string;
  metrics: MetricSpec[];
  labelValues: Record<string, string[]>;
  unmatchedRoute: string;
  untracedPaths: string[];
  headerAllowlist: string[];
  health: {
    path: string;
    statuses: string[];
    httpStatus: Record<string, number>;
    schema: Record<string, unknown>;
  };
  auth: {
    metrics: { path: string; tokenVariable: string; minTokenLength: number };
    unauthorizedStatus: number;
    wwwAuthenticate: string;
  };
  aiSpan: {
    attributes: Record<
      | "operation"
      | "provider"
      | "requestModel"
      | "responseModel"
      | "inputTokens"
      | "outputTokens"
      | "cost"
      | "workflowId"
      | "userId",
      AttributeSpec
    >;
    userIdHash: { algorithm: string; keyVariable: string; minKeyBytes: number; hexChars: number };
    errorStatusUnless: string;
  };
  logs: { traceFields: string[]; levels: Record<string, number>; redactedKeys: string[]; censor: string };
}

/** The package's contract.json: next to src/ when run from source, next to dist/ when installed. */
export const CONTRACT_URL = new URL("../contract.json", import.meta.url);

export const CONTRACT: Readonly<Contract> = JSON.parse(readFileSync(CONTRACT_URL, "utf8")) as Contract;

/** The contract's definition of one metric; throws on a name the contract does not have (a programming error). */
export function metricSpec(name: string): MetricSpec {
  const spec = CONTRACT.metrics.find((m) => m.name === name);
  if (!spec) throw new Error(`instrumentation/contract.json defines no metric ${name}`);
  return spec;
}
