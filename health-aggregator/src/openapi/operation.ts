/**
 * What the published OpenAPI document says about each route beyond its request and response schemas: the concern it
 * belongs to (its tag), a stable operationId (the generated client's method names come from it) and the credentials
 * it takes. Each route spreads `operation(…)` into its schema; the document test fails a route that does not.
 */

/** The concerns the API is grouped by, in the document's order. */
export const TAGS = [
  { name: "probes", description: "The aggregator's own health and its Prometheus metrics." },
  { name: "status", description: "Current state, history, incidents and alerts of the monitored targets." },
  { name: "alerts", description: "Alertmanager's webhook receiver." },
  { name: "synthetics", description: "Synthetic flows: their state, their runs, and running one now." },
  { name: "admin", description: "Maintenance windows and Alertmanager silences (JWT)." },
  { name: "documents", description: "The public status page and this document." },
] as const;

export type Tag = (typeof TAGS)[number]["name"];

/**
 * How each protected route checks credentials. All three are `Authorization: Bearer …`: /metrics compares the metrics
 * token and the webhook and synthetics' run compare the admin token (bearer.ts); the admin API verifies a JWT
 * (admin/jwt.ts) and writes also need its write claim.
 */
export const SECURITY_SCHEMES = {
  metricsToken: {
    type: "http",
    scheme: "bearer",
    description: "LOOKOUT_METRICS_TOKEN, compared in constant time.",
  },
  adminToken: {
    type: "http",
    scheme: "bearer",
    description: "LOOKOUT_ADMIN_TOKEN, compared in constant time.",
  },
  adminJwt: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A JWT from admin.jwt's secret or JWKS (`lookout admin token` mints one). Writes also need the configured " +
      'write claim: 403 with `WWW-Authenticate: Bearer error="insufficient_scope"` otherwise.',
  },
} as const;

export type Credentials = keyof typeof SECURITY_SCHEMES | "none";

export interface Operation {
  operationId: string;
  summary: string;
  tags: [Tag];
  /** `[]` marks a route public explicitly, so a reader of the document never has to guess. */
  security: Record<string, never[]>[];
}

export function operation(operationId: string, tag: Tag, credentials: Credentials, summary: string): Operation {
  return {
    operationId,
    summary,
    tags: [tag],
    security: credentials === "none" ? [] : [{ [credentials]: [] }],
  };
}
