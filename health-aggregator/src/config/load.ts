/**
 * Loads the aggregator's YAML config: parse, expand `${ENV}` references, validate against the JSON Schema, check
 * what a schema cannot (unique ids, known and acyclic depends_on, timeout below interval), apply defaults, and return
 * a typed, frozen config. Every problem is reported as `file:line:col: path: message`, all of them at once.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { LookoutError } from "../../../shared/index.js";
import { BUILTIN_FLOWS } from "../../../synthetics/index.js";
import {
  type RawSyntheticsConfig,
  type SyntheticsConfig,
  syntheticsProblems,
  toSyntheticsConfig,
} from "../synthetics/config.js";
import { type CorsConfig, corsProblems, type RawCorsConfig, toCorsConfig } from "./cors.js";
import { configSchema } from "./schema.js";

export type CheckKind = "http" | "tcp" | "postgres" | "redis";
export type HttpFormat = "lookout" | "health+json" | "status";

export interface HttpCheckConfig {
  kind: "http";
  url: string;
  method: "GET" | "HEAD" | "POST";
  headers: Record<string, string>;
  format: HttpFormat;
  expectStatus: number[] | undefined;
  assertions: { path: string; equals?: string | number | boolean | null; exists?: boolean }[];
}

export type CheckConfig =
  | HttpCheckConfig
  | { kind: "tcp"; host: string; port: number }
  | { kind: "postgres"; url: string }
  | { kind: "redis"; url: string };

export interface InstanceConfig {
  name: string;
  role: "primary" | "secondary";
  check: CheckConfig;
}

export interface TargetConfig {
  id: string;
  name: string;
  system: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  degradedAfterMs: number | undefined;
  failuresToDown: number;
  successesToUp: number;
  dependsOn: string[];
  labels: Record<string, string>;
  public: boolean;
  instances: InstanceConfig[];
}

/** The admin API's token settings (see admin/jwt.ts). */
export interface JwtConfig {
  hs256SecretFile: string | undefined;
  hs256SecretEnv: string | undefined;
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  writeClaim: string;
  writeValue: string;
  /** `file:line:col` of the jwt section, for errors found when the secret is read. */
  location: string;
}

export interface AggregatorConfig {
  targets: TargetConfig[];
  history: { rawDays: number; minuteDays: number; hourDays: number };
  /** details: the unauthenticated /api/v1/status shows every target and its errors (public_status.details). */
  publicStatus?: { details: boolean };
  /** Origins whose pages may call the API (cors.origins); none by default. */
  cors?: CorsConfig;
  /** Synthetic flows to run; undefined when the config has no `synthetics:` section. */
  synthetics?: SyntheticsConfig;
  admin: {
    jwt: JwtConfig | undefined;
    alertmanager: { url: string; timeoutMs: number; headers: Record<string, string> } | undefined;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

// strictRequired off: the oneOf branches name properties defined one level up, which is the intended JSON Schema idiom.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile(configSchema);

type Located = { path: string; message: string };

/** The YAML node at a JSON pointer such as /targets/0/interval (or the closest existing parent). */
function nodeAt(doc: Document, pointer: string): Node | undefined {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const part of parts) {
    if (isMap(node)) node = node.get(part, true);
    else if (isSeq(node)) node = node.get(Number(part), true);
    else break;
    if (node) found = node as Node;
    else break;
  }
  return found;
}

function describe(error: ErrorObject): Located {
  const path = error.instancePath || "/";
  switch (error.keyword) {
    case "additionalProperties": {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      return { path: `${error.instancePath}/${key}`, message: `unknown setting "${key}"` };
    }
    case "required":
      return {
        path,
        message: `missing required setting "${(error.params as { missingProperty: string }).missingProperty}"`,
      };
    case "enum":
      return {
        path,
        message: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "oneOf":
      return { path, message: "an instance needs exactly one check: http, tcp, postgres or redis" };
    case "anyOf":
      return { path, message: "needs a key: hs256_secret_file, hs256_secret_env or jwks_url" };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** Replaces `${NAME}` in every string value with the environment's value; an unset variable is a config error. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, missing: Located[]): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (match, name: string) => {
      const v = env[name];
      if (v === undefined) {
        missing.push({ path, message: `environment variable ${name} is not set` });
        return match;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}/${i}`, missing));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, `${path}/${k}`, missing)]));
  }
  return value;
}

interface RawInstance {
  name: string;
  role?: "primary" | "secondary";
  http?: {
    url: string;
    method?: "GET" | "HEAD" | "POST";
    headers?: Record<string, string>;
    format?: HttpFormat;
    expect_status?: number[];
    assertions?: HttpCheckConfig["assertions"];
  };
  tcp?: { host: string; port: number };
  postgres?: { url: string };
  redis?: { url: string };
}

interface RawTarget {
  id: string;
  name?: string;
  system?: string;
  interval?: string;
  timeout?: string;
  retries?: number;
  degraded_after?: string;
  failures_to_down?: number;
  successes_to_up?: number;
  depends_on?: string[];
  labels?: Record<string, string>;
  public?: boolean;
  instances: RawInstance[];
}

interface RawConfig {
  defaults?: {
    interval?: string;
    timeout?: string;
    retries?: number;
    degraded_after?: string;
    failures_to_down?: number;
    successes_to_up?: number;
  };
  history?: { raw_days?: number; minute_days?: number; hour_days?: number };
  public_status?: { details?: boolean };
  cors?: RawCorsConfig;
  synthetics?: RawSyntheticsConfig;
  admin?: {
    jwt?: {
      hs256_secret_file?: string;
      hs256_secret_env?: string;
      jwks_url?: string;
      issuer: string;
      audience: string;
      clock_skew?: string;
      write_claim?: string;
      write_value?: string;
    };
    alertmanager?: { url: string; timeout?: string; headers?: Record<string, string> };
  };
  targets: RawTarget[];
}

function toCheck(raw: RawInstance): CheckConfig {
  if (raw.http) {
    return {
      kind: "http",
      url: raw.http.url,
      method: raw.http.method ?? "GET",
      headers: raw.http.headers ?? {},
      format: raw.http.format ?? "lookout",
      expectStatus: raw.http.expect_status,
      assertions: raw.http.assertions ?? [],
    };
  }
  if (raw.tcp) return { kind: "tcp", host: raw.tcp.host, port: raw.tcp.port };
  if (raw.postgres) return { kind: "postgres", url: raw.postgres.url };
  return { kind: "redis", url: raw.redis!.url };
}

/** Semantic checks the schema cannot express. */
function crossCheck(config: RawConfig): Located[] {
  const problems: Located[] = [];
  const ids = new Map<string, number>();
  config.targets.forEach((t, i) => {
    if (ids.has(t.id))
      problems.push({
        path: `/targets/${i}/id`,
        message: `duplicate target id "${t.id}" (also /targets/${ids.get(t.id)})`,
      });
    ids.set(t.id, i);
    const names = new Set<string>();
    t.instances.forEach((inst, j) => {
      if (names.has(inst.name))
        problems.push({ path: `/targets/${i}/instances/${j}/name`, message: `duplicate instance name "${inst.name}"` });
      names.add(inst.name);
    });
  });
  config.targets.forEach((t, i) => {
    (t.depends_on ?? []).forEach((dep, j) => {
      if (!ids.has(dep)) problems.push({ path: `/targets/${i}/depends_on/${j}`, message: `unknown target "${dep}"` });
      if (dep === t.id)
        problems.push({ path: `/targets/${i}/depends_on/${j}`, message: "a target cannot depend on itself" });
    });
    const interval = parseDuration(t.interval ?? config.defaults?.interval ?? "15s");
    const timeout = parseDuration(t.timeout ?? config.defaults?.timeout ?? "5s");
    if (timeout >= interval) {
      problems.push({
        path: `/targets/${i}/timeout`,
        message: `timeout (${timeout} ms) must be shorter than the interval (${interval} ms)`,
      });
    }
  });
  // Cycles: depth-first search over depends_on.
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      problems.push({ path: `/targets/${ids.get(id)}/depends_on`, message: `dependency cycle: ${cycle.join(" → ")}` });
      return;
    }
    state.set(id, "visiting");
    for (const dep of byId.get(id)?.depends_on ?? []) if (byId.has(dep)) visit(dep, [...trail, id]);
    state.set(id, "done");
  };
  for (const t of config.targets) visit(t.id, []);
  if (config.synthetics) problems.push(...syntheticsProblems(config.synthetics, BUILTIN_FLOWS));
  if (config.cors) problems.push(...corsProblems(config.cors));
  return problems;
}

/** Parses and validates config text; file is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (pointer: string) => {
    const node = nodeAt(doc, pointer);
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${file}:${line}:${col}: invalid YAML: ${e.message.split("\n")[0]}`;
    });
    throw new LookoutError("LOOKOUT_ERR_CONFIG", lines.join("\n"));
  }
  const missing: Located[] = [];
  const raw = expandEnv(doc.toJS(), env, "", missing);
  const problems: Located[] = [...missing];
  if (!validate(raw)) {
    problems.push(
      ...(validate.errors ?? [])
        // The branches of an anyOf each report their own "required"; the anyOf error says it once.
        .filter((e) => e.keyword !== "if" && !e.schemaPath.includes("/anyOf/"))
        .map(describe),
    );
  } else {
    problems.push(...crossCheck(raw));
  }
  if (problems.length > 0) {
    const unique = [...new Map(problems.map((p) => [`${p.path}|${p.message}`, p])).values()];
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `invalid config:\n${unique.map((p) => `${where(p.path)}: ${p.path}: ${p.message}`).join("\n")}`,
    );
  }
  const config = raw as RawConfig;
  const d = config.defaults ?? {};
  const jwt = config.admin?.jwt;
  const alertmanager = config.admin?.alertmanager;
  return {
    admin: {
      jwt: jwt
        ? {
            hs256SecretFile: jwt.hs256_secret_file,
            hs256SecretEnv: jwt.hs256_secret_env,
            jwksUrl: jwt.jwks_url,
            issuer: jwt.issuer,
            audience: jwt.audience,
            clockSkewSeconds: parseDuration(jwt.clock_skew ?? "30s") / 1000,
            writeClaim: jwt.write_claim ?? "scope",
            writeValue: jwt.write_value ?? "lookout:admin",
            location: where("/admin/jwt"),
          }
        : undefined,
      alertmanager: alertmanager
        ? {
            url: alertmanager.url.replace(/\/+$/, ""),
            timeoutMs: parseDuration(alertmanager.timeout ?? "5s"),
            headers: alertmanager.headers ?? {},
          }
        : undefined,
    },
    publicStatus: { details: config.public_status?.details ?? false },
    cors: toCorsConfig(config.cors),
    history: {
      rawDays: config.history?.raw_days ?? 7,
      minuteDays: config.history?.minute_days ?? 30,
      hourDays: config.history?.hour_days ?? 366,
    },
    ...(config.synthetics ? { synthetics: toSyntheticsConfig(config.synthetics, BUILTIN_FLOWS) } : {}),
    targets: config.targets.map((t) => {
      const degraded = t.degraded_after ?? d.degraded_after;
      return {
        id: t.id,
        name: t.name ?? t.id,
        system: t.system ?? t.id,
        intervalMs: parseDuration(t.interval ?? d.interval ?? "15s"),
        timeoutMs: parseDuration(t.timeout ?? d.timeout ?? "5s"),
        retries: t.retries ?? d.retries ?? 0,
        degradedAfterMs: degraded ? parseDuration(degraded) : undefined,
        failuresToDown: t.failures_to_down ?? d.failures_to_down ?? 2,
        successesToUp: t.successes_to_up ?? d.successes_to_up ?? 2,
        dependsOn: t.depends_on ?? [],
        labels: t.labels ?? {},
        public: t.public ?? true,
        instances: t.instances.map((i) => ({ name: i.name, role: i.role ?? "primary", check: toCheck(i) })),
      };
    }),
  };
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `${file}: cannot read the config: ${(error as Error).message}`);
  }
  return parseConfig(text, file, env);
}
