/**
 * The redaction corpus, generated from tables: every kind of PII the gateway promises to remove × every place a value
 * can hide (span attribute, span-event attribute — an exception message —, resource attribute, span name, status
 * message), bare and embedded in text, plus non-PII controls that must come through untouched. Each case is one
 * span of its own resource, found again in Jaeger by its `test.case` attribute.
 */
import type { AttrValue, SpanInput } from "./harness.js";
import { newTraceId } from "./harness.js";
import { IDENTIFIER_KINDS } from "./corpus-identifiers.js";

export type Place = "span-attribute" | "event-attribute" | "resource-attribute" | "span-name" | "status-message";
export const PLACES: readonly Place[] = [
  "span-attribute",
  "event-attribute",
  "resource-attribute",
  "span-name",
  "status-message",
];

interface Sample {
  /** What is sent. */
  value: string;
  /** The part that must not survive anywhere (defaults to value). */
  secret?: string;
}

interface Kind {
  kind: string;
  samples: Sample[];
  /** The attribute key the value is sent under (span/event/resource attribute places). */
  key: string;
  /** Places where this kind is looked for; others do not apply (e.g. SQL in a resource attribute). */
  places: readonly Place[];
  /** Also send the value embedded in a sentence. */
  embed: boolean;
}

const FREE_TEXT: readonly Place[] = PLACES;

/** Kinds found by the shape of the value, wherever it is. */
export const KINDS: readonly Kind[] = [
  {
    kind: "email",
    key: "customer.contact",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "jane.doe@example.com" },
      { value: "J.Smith+billing@corp.example.co.uk" },
      { value: "ops_team-7@sub.mail.example.org" },
      { value: "x@y.io" },
    ],
  },
  {
    kind: "payment card",
    key: "payment.card",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "4111111111111111" },
      { value: "4111 1111 1111 1111" },
      { value: "5500-0000-0000-0004" },
      { value: "378282246310005" },
      { value: "6011 0009 9013 9424" },
    ],
  },
  {
    kind: "JWT",
    key: "auth.jwt",
    places: FREE_TEXT,
    embed: true,
    samples: [
      {
        value:
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      },
      { value: "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIn0.", secret: "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIn0" },
    ],
  },
  {
    kind: "bearer credential",
    key: "http.request.header.x_forwarded_auth",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", secret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0" },
      { value: "bearer abc.DEF-ghi_jkl~mno/pqr+stu=", secret: "abc.DEF-ghi_jkl~mno/pqr+stu" },
    ],
  },
  {
    kind: "basic credential",
    key: "http.request.header.x_original_auth",
    places: FREE_TEXT,
    embed: true,
    samples: [{ value: "Authorization: Basic YWxpY2U6czNjcjN0LXBhc3M=", secret: "YWxpY2U6czNjcjN0LXBhc3M" }],
  },
  {
    kind: "API key",
    key: "provider.key_hint",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" },
      { value: "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx" },
      { value: "sk_live_51HxYzAbCdEfGhIjKlMn" },
      { value: "AKIAIOSFODNN7EXAMPLE" },
      { value: "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij" },
      { value: "xoxb-1234567890-abcdefghij" },
      { value: "AIzaSyA-1234567890abcdefghijklmnopqrstu" },
    ],
  },
  {
    kind: "phone number",
    key: "customer.phone",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "+44 20 7946 0958" },
      { value: "+1 (415) 555-0132" },
      { value: "+4915123456789" },
      { value: "(212) 555-0199" },
      { value: "646.555.0123" },
    ],
  },
  {
    kind: "secret in a URL query string",
    key: "url.full",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "https://relaycore.internal/cb?token=tk9f8e7d6c5b4a&page=2", secret: "tk9f8e7d6c5b4a" },
      { value: "https://api.example.net/v1/x?api_key=ak_55aa66bb77cc", secret: "ak_55aa66bb77cc" },
      { value: "https://sso.example.net/login?user=bob&password=Hunter2Hunter2", secret: "Hunter2Hunter2" },
      { value: "https://files.example.net/f.pdf?X-Amz-Date=1&sig=Zm9vYmFyYmF6cXV4", secret: "Zm9vYmFyYmF6cXV4" },
    ],
  },
  {
    kind: "credentials in a URL",
    key: "db.connection_string",
    places: FREE_TEXT,
    embed: true,
    samples: [
      { value: "postgres://app:S3cr3tPassw0rd@db.internal:5432/app", secret: "S3cr3tPassw0rd" },
      { value: "redis://default:r3d1sPw_x@cache.internal:6379", secret: "r3d1sPw_x" },
    ],
  },
  ...IDENTIFIER_KINDS.map((k) => ({ ...k, samples: [...k.samples], places: FREE_TEXT })),
];

export interface RedactionCase {
  id: string;
  kind: string;
  place: Place;
  secret: string;
  /** The attribute key the value was sent under (attribute places). */
  key: string | undefined;
  span: SpanInput;
  /** What the place must look like afterwards: contains "****" (masked), or an exact value. */
  expect: { contains: string } | { equals: string };
}

/** Non-PII values on every case span: each must come back exactly as sent. */
export const CONTROL_SPAN_ATTRIBUTES: Record<string, AttrValue> = {
  "http.route": "/api/v1/workflows/{workflow_id}/runs",
  "http.request.method": "POST",
  "http.response.status_code": 200,
  "gen_ai.request.model": "gpt-4o-mini-2024-07-18",
  "gen_ai.usage.input_tokens": 1234,
  "gen_ai.usage.cost": 0.0125,
  "workflow.id": "wf_01HZX3K8Q4",
  "server.address": "relaycore.internal",
  "server.port": 8002,
  "url.full.control": "https://relaycore.internal/v1/route?model=gpt-4o&page=2&limit=50",
  "request.id": "0af7651916cd43dd8448eb211c80319c",
  "request.uuid": "123e4567-e89b-12d3-a456-426614174000",
  "event.timestamp": "2026-11-27T21:28:03.123Z",
  "order.amount": "1234.56",
  "retry.note": "retry 3 of 5 after 250ms",
  "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36",
  "db.system": "postgresql",
  "db.query.text.control": "SELECT id FROM users WHERE id = $1",
  "file.path": "/var/lib/lookout/data/collector",
  "cache.hit": true,
  synthetic: true, // kept by the sampler whatever the baseline
};
export const CONTROL_RESOURCE_ATTRIBUTES: Record<string, AttrValue> = {
  "service.version": "1.65.0",
  "deployment.environment": "production",
  "host.name": "relaycore-7d9f8b6c5-x2x9z",
};
export const CONTROL_EVENT = { name: "cache.refresh", attributes: { "cache.key": "models:v2", "cache.size": 42 } };

function embedded(value: string): string {
  return `while handling workflow wf_01HZX3K8Q4 got ${value} from upstream`;
}

export interface Corpus {
  service: string;
  cases: RedactionCase[];
  /** Control cases: a span with only non-PII names/messages; each must come back exactly. */
  controls: { id: string; span: SpanInput; name: string; statusMessage: string }[];
  traceIds: string[];
}

const CONTROL_NAMES: [string, string][] = [
  ["POST /api/v1/workflows/{workflow_id}/runs", "upstream deadline exceeded after 30s"],
  ["SELECT orders", "connection reset by peer"],
  ["chat gpt-4o-mini-2024-07-18", "rate limited: retry after 250ms"],
  ["GET /health", "HTTP 503 from neuroweaver"],
  ["redis GET models:v2", "timeout after 1500 ms on attempt 3"],
  ["workflow.step validate-input", "validation failed: field amount must be > 0"],
];

/** Builds the corpus for one run (service and trace ids are unique per call). */
export function buildCorpus(hashKeyHmac: (value: string) => string, tag: string): Corpus {
  const service = `redaction-${tag}`;
  const cases: RedactionCase[] = [];
  const traceIds: string[] = [];
  let traceId = newTraceId();
  let inTrace = 0;
  const nextTrace = () => {
    if (inTrace === 0) traceIds.push(traceId);
    if (++inTrace === 25) {
      traceId = newTraceId();
      inTrace = 0;
    }
    return traceIds[traceIds.length - 1]!;
  };
  const base = (id: string): SpanInput => ({
    traceId: nextTrace(),
    name: "case span",
    attributes: { ...CONTROL_SPAN_ATTRIBUTES, "test.case": id },
    events: [CONTROL_EVENT],
    resource: { "service.name": service, ...CONTROL_RESOURCE_ATTRIBUTES },
  });

  const add = (
    kind: string,
    place: Place,
    secret: string,
    key: string | undefined,
    make: (span: SpanInput) => void,
    expect: RedactionCase["expect"] = { contains: "****" },
  ) => {
    const id = `c${cases.length}`;
    const span = base(id);
    make(span);
    cases.push({ id, kind, place, secret, key, span, expect });
  };
  const sql = { contains: "?" };

  for (const k of KINDS) {
    for (const sample of k.samples) {
      const secret = sample.secret ?? sample.value;
      const forms = k.embed ? [sample.value, embedded(sample.value)] : [sample.value];
      for (const place of k.places) {
        for (const text of forms) {
          switch (place) {
            case "span-attribute":
              add(k.kind, place, secret, k.key, (s) => (s.attributes![k.key] = text));
              break;
            case "event-attribute":
              add(k.kind, place, secret, "exception.message", (s) =>
                s.events!.push({
                  name: "exception",
                  attributes: { "exception.type": "UpstreamError", "exception.message": text },
                }),
              );
              break;
            case "resource-attribute":
              add(k.kind, place, secret, k.key, (s) => (s.resource[k.key] = text));
              break;
            case "span-name":
              if (text === sample.value) add(k.kind, place, secret, undefined, (s) => (s.name = `call ${text}`));
              else add(k.kind, place, secret, undefined, (s) => (s.name = text));
              break;
            case "status-message":
              add(k.kind, place, secret, undefined, (s) => {
                s.error = true;
                s.statusMessage = text;
              });
              break;
          }
        }
      }
    }
  }

  // SQL literals: in statements (span and event attributes), SQL span names and driver error messages.
  const sqlLiterals = ["Jane Roe-7731", "1990-04-01 secret", "O''Brien-5520"];
  for (const literal of sqlLiterals) {
    const statement = `SELECT * FROM customers WHERE name = '${literal}' AND tier = 'gold-${literal.length}'`;
    const secret = literal.replace("''", "'");
    const q = (s: SpanInput, key: string) => (s.attributes![key] = statement);
    add("SQL literal", "span-attribute", secret, "db.query.text", (s) => q(s, "db.query.text"), sql);
    add("SQL literal", "span-attribute", secret, "db.statement", (s) => q(s, "db.statement"), sql);
    add(
      "SQL literal",
      "event-attribute",
      secret,
      "exception.message",
      (s) => s.events!.push({ name: "exception", attributes: { "exception.message": `syntax error in ${statement}` } }),
      sql,
    );
    add(
      "SQL literal",
      "event-attribute",
      secret,
      "db.query.text",
      (s) => s.events!.push({ name: "query", attributes: { "db.query.text": statement } }),
      sql,
    );
    add("SQL literal", "span-name", secret, undefined, (s) => (s.name = statement), sql);
    add(
      "SQL literal",
      "status-message",
      secret,
      undefined,
      (s) => {
        s.error = true;
        s.statusMessage = `deadlock detected while running ${statement}`;
      },
      sql,
    );
  }
  // Numeric literals too, but not parameter placeholders ($1 stays, see the controls).
  add(
    "SQL literal",
    "span-attribute",
    "4242424242",
    "db.query.text",
    (s) => (s.attributes!["db.query.text"] = "UPDATE accounts SET balance = 10.5 WHERE phone_hash = 4242424242"),
    { equals: "UPDATE accounts SET balance = ? WHERE phone_hash = ?" },
  );

  // Client IP addresses (default policy: mask).
  for (const ip of ["203.0.113.77", "198.51.100.23", "2001:db8:85a3::8a2e:370:7334"]) {
    const masked = { equals: "****" };
    add("client IP", "span-attribute", ip, "client.address", (s) => (s.attributes!["client.address"] = ip), masked);
    add("client IP", "span-attribute", ip, "http.client_ip", (s) => (s.attributes!["http.client_ip"] = ip), masked);
    add("client IP", "event-attribute", ip, "exception.message", (s) =>
      s.events!.push({ name: "exception", attributes: { "exception.message": `connection from ${ip} refused` } }),
    );
    add(
      "client IP",
      "event-attribute",
      ip,
      "client.address",
      (s) => s.events!.push({ name: "request", attributes: { "client.address": ip } }),
      masked,
    );
    add("client IP", "span-name", ip, undefined, (s) => (s.name = `blocked ${ip}`));
    add("client IP", "status-message", ip, undefined, (s) => {
      s.error = true;
      s.statusMessage = `too many requests from ${ip}`;
    });
  }

  // Credential-bearing keys: masked whole whatever the value looks like.
  for (const [key, value] of [
    ["http.request.header.authorization", "Token abcdefghij0123456789"],
    ["http.request.header.cookie", "session=s3ss10n-v4lu3-xyz; theme=dark"],
    ["db.password", "correct-horse-battery-staple"],
    ["app.client_secret", "cs-0f9e8d7c6b5a"],
    ["provider.api_key", "plain-looking-value-123"],
  ] as const) {
    const masked = { equals: "****" };
    add("credential key", "span-attribute", value, key, (s) => (s.attributes![key] = value), masked);
    add(
      "credential key",
      "event-attribute",
      value,
      key,
      (s) => s.events!.push({ name: "request", attributes: { [key]: value } }),
      masked,
    );
    add("credential key", "resource-attribute", value, key, (s) => (s.resource[key] = value), masked);
  }

  // User ids: keyed hashes (HMAC-SHA256), equal for equal ids, so traces stay joinable.
  for (const uid of ["user-42", "alice@example.com", "9001"]) {
    const expected = hashKeyHmac(uid);
    const hashed = { equals: expected };
    add("user id", "span-attribute", uid, "user.id", (s) => (s.attributes!["user.id"] = uid), hashed);
    add("user id", "span-attribute", uid, "enduser.id", (s) => (s.attributes!["enduser.id"] = uid), hashed);
    add(
      "user id",
      "event-attribute",
      uid,
      "user.id",
      (s) => s.events!.push({ name: "login", attributes: { "user.id": uid } }),
      hashed,
    );
    add("user id", "resource-attribute", uid, "user.id", (s) => (s.resource["user.id"] = uid), hashed);
  }

  // Not PII: parameter placeholders in SQL stay as they are.
  for (const statement of ["SELECT id FROM users WHERE id = $1 AND org = :org", "SELECT name FROM t1 WHERE x = ?"]) {
    add("SQL control", "span-attribute", "", "db.query.text", (s) => (s.attributes!["db.query.text"] = statement), {
      equals: statement,
    });
  }

  const controls = CONTROL_NAMES.map(([name, statusMessage], i) => {
    const id = `control${i}`;
    const span = base(id);
    span.name = name;
    span.error = true;
    span.statusMessage = statusMessage;
    return { id, span, name, statusMessage };
  });
  return { service, cases, controls, traceIds };
}
