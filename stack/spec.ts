/**
 * The stack's shared vocabulary: what a component is (ComponentSpec), what building one needs (StackContext), and the
 * few values every component module agrees on. It imports types only, from modules that import nothing back, so the
 * component modules (components.ts, postgres.ts, demo-components.ts, scaleout.ts) can all import it without a cycle.
 */
import type { HomeLayout } from "../shared/index.js";
import type { Ports } from "./ports.js";
import type { ReadinessProbe } from "./readiness.js";
import type { Secrets } from "./secrets.js";
import type { ToolPaths } from "./tools.js";

export interface ComponentSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Run as this system user (PostgreSQL refuses to run as root). */
  readonly user?: string;
  /** Creates data directories and rendered configs; runs before start, every time (idempotent). */
  readonly prepare?: () => void;
  readonly ready: ReadinessProbe;
  /** The URL printed in the table once everything is up. */
  readonly url: string;
  /** Seconds to wait for readiness (Jaeger's badger and PostgreSQL's first initdb take a few). */
  readonly readyTimeoutSeconds?: number;
}

export interface StackContext {
  readonly layout: HomeLayout;
  readonly ports: Ports;
  readonly secrets: Secrets;
  readonly tools: ToolPaths;
  /** Prometheus TSDB retention, e.g. "30d" (LOOKOUT_RETENTION; at most 1 year). */
  readonly retention: string;
}

/** Every native component listens on, and is reached at, the loopback interface only. */
export const LOOPBACK = "127.0.0.1";

/** The connection string of the stack's PostgreSQL for the user lookout (the password percent-encoded). */
export function postgresUrl(ctx: Pick<StackContext, "ports" | "secrets">, options: { sslmode?: string } = {}): string {
  const password = encodeURIComponent(ctx.secrets.postgres_password.value);
  const query = options.sslmode === undefined ? "" : `?sslmode=${options.sslmode}`;
  return `postgresql://lookout:${password}@${LOOPBACK}:${ctx.ports.POSTGRES}/postgres${query}`;
}

/** One config file checked by its component's own validator (`lookout validate`, stack/validate.ts). */
export interface CheckResult {
  name: string;
  file: string;
  ok: boolean;
  output: string;
}

/** A Kubernetes object as the Helm chart renders it (stack/helm-check.ts), decoded from YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}
