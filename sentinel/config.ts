/**
 * Loads the sentinel's YAML config: parse, validate against sentinel/schema.ts, check what a schema cannot (exactly
 * one way to give each secret, one kind per receiver, a probe timeout below its interval), read every secret from its
 * file or environment variable, apply defaults, and return a typed, frozen config. Every problem is reported as
 * `file:line:col: /path: message`, all of them at once, so a bad config names the field.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { LookoutError } from "../shared/index.js";
import { sentinelConfigSchema } from "./schema.js";
import type { ReceiverConfig, SentinelConfig } from "./types.js";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

function ms(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text)!;
  return Number(match[1]) * UNITS[match[2]!]!;
}

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false });
const validate = ajv.compile(sentinelConfigSchema);

interface Problem {
  path: string;
  message: string;
}

type Secrets = Record<string, string | undefined>;
interface RawReceiver {
  name: string;
  webhook?: Secrets & { url?: string };
  email?: Secrets & {
    smarthost: string;
    from: string;
    to: string[];
    username?: string;
    require_tls?: boolean;
  };
  chat?: Secrets;
}
interface RawConfig {
  name?: string;
  listen?: { host?: string; port?: number };
  heartbeat?: Secrets & { interval?: string; grace?: string; alertname?: string };
  probe?: { url: string; expect?: "json" | "html"; interval?: string; timeout?: string; failures?: number };
  notify: { within?: string; renotify?: string; receivers: RawReceiver[] };
  metrics?: Secrets;
}

/** The YAML node at a JSON pointer such as /notify/receivers/0/email (or the closest existing parent). */
function nodeAt(doc: Document, pointer: string): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const part of pointer.split("/").slice(1)) {
    if (isMap(node)) node = node.get(part, true);
    else if (isSeq(node)) node = node.get(Number(part), true);
    else break;
    if (!node) break;
    found = node as Node;
  }
  return found;
}

function describe(error: ErrorObject): Problem {
  const params = error.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  switch (error.keyword) {
    case "additionalProperties":
      return { path: `${error.instancePath}/${params.additionalProperty}`, message: "unknown setting" };
    case "required":
      return { path: error.instancePath || "/", message: `missing required setting "${params.missingProperty}"` };
    case "enum":
      return {
        path: error.instancePath,
        message: `must be one of ${params.allowedValues!.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    default:
      return { path: error.instancePath || "/", message: error.message ?? error.keyword };
  }
}

/**
 * Reads the secret `<name>_file` or `<name>_env` of section (at path). Exactly one of them must be given when
 * required; at most one otherwise. Problems name the field; a secret's value never appears in a message.
 */
function readSecret(
  section: Secrets,
  name: string,
  path: string,
  required: boolean,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
): string | undefined {
  const file = section[`${name}_file`];
  const variable = section[`${name}_env`];
  if (file !== undefined && variable !== undefined) {
    problems.push({ path: `${path}/${name}_env`, message: `give ${name}_file or ${name}_env, not both` });
    return undefined;
  }
  if (file === undefined && variable === undefined) {
    if (required) problems.push({ path, message: `needs ${name}_file or ${name}_env` });
    return undefined;
  }
  let value: string | undefined;
  if (file !== undefined) {
    try {
      value = readFileSync(file, "utf8").trim();
    } catch (error) {
      problems.push({ path: `${path}/${name}_file`, message: `cannot read ${file}: ${(error as Error).message}` });
      return undefined;
    }
  } else {
    value = env[variable!]?.trim();
  }
  if (!value) {
    const where = file !== undefined ? `${path}/${name}_file` : `${path}/${name}_env`;
    problems.push({ path: where, message: `${file ?? `$${variable}`} is empty or unset` });
    return undefined;
  }
  return value;
}

function toReceiver(raw: RawReceiver, path: string, env: NodeJS.ProcessEnv, problems: Problem[]): ReceiverConfig {
  const kinds = (["webhook", "email", "chat"] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    problems.push({ path, message: `a receiver needs exactly one of webhook, email, chat (has ${kinds.length})` });
  }
  if (raw.webhook) {
    const at = `${path}/webhook`;
    const secretUrl = readSecret(raw.webhook, "url", at, raw.webhook.url === undefined, env, problems);
    if (raw.webhook.url !== undefined && secretUrl !== undefined) {
      problems.push({ path: `${at}/url`, message: "give url or url_file/url_env, not both" });
    }
    const url = raw.webhook.url ?? secretUrl ?? "";
    if (secretUrl !== undefined && !/^https?:\/\//.test(secretUrl)) {
      problems.push({
        path: at,
        message: "the URL read from url_file/url_env does not start with http:// or https://",
      });
    }
    return { kind: "webhook", name: raw.name, url, token: readSecret(raw.webhook, "token", at, false, env, problems) };
  }
  if (raw.email) {
    const at = `${path}/email`;
    const password = readSecret(raw.email, "password", at, false, env, problems);
    if ((password === undefined) !== (raw.email.username === undefined)) {
      problems.push({ path: at, message: "username and password_file/password_env go together" });
    }
    const [host, port] = raw.email.smarthost.split(":");
    return {
      kind: "email",
      name: raw.name,
      host: host!,
      port: Number(port),
      from: raw.email.from,
      to: raw.email.to,
      auth: raw.email.username && password ? { user: raw.email.username, pass: password } : undefined,
      requireTls: raw.email.require_tls ?? true,
    };
  }
  const at = `${path}/chat`;
  const url = readSecret(raw.chat ?? {}, "url", at, true, env, problems) ?? "";
  if (url && !/^https?:\/\//.test(url)) {
    problems.push({ path: at, message: "the URL read from url_file/url_env does not start with http:// or https://" });
  }
  return { kind: "chat", name: raw.name, url };
}

function toConfig(raw: RawConfig, env: NodeJS.ProcessEnv, problems: Problem[]): SentinelConfig {
  if (!raw.heartbeat && !raw.probe) problems.push({ path: "/", message: "needs heartbeat, probe or both" });
  const names = new Map<string, number>();
  raw.notify.receivers.forEach((r, i) => {
    if (names.has(r.name)) {
      problems.push({
        path: `/notify/receivers/${i}/name`,
        message: `duplicate receiver "${r.name}" (also /notify/receivers/${names.get(r.name)})`,
      });
    }
    names.set(r.name, i);
  });
  const probe = raw.probe && {
    url: raw.probe.url,
    expect: raw.probe.expect ?? "json",
    intervalMs: ms(raw.probe.interval ?? "30s"),
    timeoutMs: ms(raw.probe.timeout ?? "5s"),
    failures: raw.probe.failures ?? 3,
  };
  if (probe && probe.timeoutMs >= probe.intervalMs) {
    problems.push({
      path: "/probe/timeout",
      message: `timeout (${probe.timeoutMs} ms) must be shorter than the interval (${probe.intervalMs} ms)`,
    });
  }
  const heartbeat = raw.heartbeat && {
    intervalMs: ms(raw.heartbeat.interval ?? "1m"),
    graceMs: ms(raw.heartbeat.grace ?? "30s"),
    alertname: raw.heartbeat.alertname ?? "Watchdog",
    token: readSecret(raw.heartbeat, "token", "/heartbeat", true, env, problems) ?? "",
  };
  return {
    name: raw.name ?? "lookout-sentinel",
    listen: { host: raw.listen?.host ?? "0.0.0.0", port: raw.listen?.port ?? 9095 },
    heartbeat,
    probe,
    notify: {
      withinMs: ms(raw.notify.within ?? "30s"),
      renotifyMs: ms(raw.notify.renotify ?? "1h"),
      receivers: raw.notify.receivers.map((r, i) => toReceiver(r, `/notify/receivers/${i}`, env, problems)),
    },
    metricsToken: raw.metrics ? readSecret(raw.metrics, "token", "/metrics", true, env, problems) : undefined,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses and validates config text; file is only used in messages. */
export function parseSentinelConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): SentinelConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${at(e.pos[0])}: invalid YAML: ${e.message.split("\n")[0]}`);
    throw new LookoutError("LOOKOUT_ERR_CONFIG", lines.join("\n"));
  }
  const raw: unknown = doc.toJS();
  const problems: Problem[] = [];
  let config: SentinelConfig | undefined;
  if (!validate(raw)) problems.push(...(validate.errors ?? []).map(describe));
  else config = toConfig(raw, env, problems);
  if (problems.length > 0 || !config) {
    const unique = [...new Map(problems.map((p) => [`${p.path}|${p.message}`, p])).values()];
    const where = (p: Problem) => at(nodeAt(doc, p.path)?.range?.[0] ?? 0);
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `invalid sentinel config:\n${unique.map((p) => `${where(p)}: ${p.path}: ${p.message}`).join("\n")}`,
    );
  }
  return deepFreeze(config);
}

export function loadSentinelConfig(file: string, env: NodeJS.ProcessEnv = process.env): SentinelConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `${file}: cannot read the config: ${(error as Error).message}`);
  }
  return parseSentinelConfig(text, file, env);
}
