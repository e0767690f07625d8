import { syntheticsConfigSchema } from "../synthetics/config.js";

/**
 * The aggregator's config file schema (JSON Schema draft-07). The same object validates the YAML at start and on
 * reload, and is published as health-aggregator/config.schema.json for editors (a test keeps the two equal).
 */

const duration = {
  type: "string",
  pattern: "^[0-9]+(ms|s|m|h|d)$",
  description: "A duration such as 500ms, 15s, 5m, 1h, 30d.",
} as const;

const labels = {
  type: "object",
  description: "Free-form labels copied to the target's metrics and API entries.",
  propertyNames: { pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" },
  additionalProperties: { type: "string", maxLength: 200 },
} as const;

const httpCheck = {
  type: "object",
  additionalProperties: false,
  required: ["url"],
  properties: {
    url: { type: "string", pattern: "^https?://", description: "Health endpoint URL." },
    method: { type: "string", enum: ["GET", "HEAD", "POST"], default: "GET" },
    headers: { type: "object", additionalProperties: { type: "string" } },
    format: {
      type: "string",
      enum: ["lookout", "health+json", "status"],
      default: "lookout",
      description:
        "lookout: the HealthCheckResponse contract; health+json: IETF draft application/health+json; status: the HTTP status alone.",
    },
    expect_status: {
      type: "array",
      items: { type: "integer", minimum: 100, maximum: 599 },
      minItems: 1,
      description: "Status codes that count as success (default: any 2xx).",
    },
    assertions: {
      type: "array",
      description: "JSON-path assertions on the response body; a failing one makes the check unhealthy.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path"],
        properties: {
          path: { type: "string", pattern: "^\\$(\\.[A-Za-z_][A-Za-z0-9_]*|\\[[0-9]+\\])*$" },
          equals: { type: ["string", "number", "boolean", "null"] },
          exists: { type: "boolean" },
        },
      },
    },
  },
} as const;

const instance = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[a-z0-9][a-z0-9_.-]*$" },
    role: { type: "string", enum: ["primary", "secondary"], default: "primary" },
    http: httpCheck,
    tcp: {
      type: "object",
      additionalProperties: false,
      required: ["host", "port"],
      properties: { host: { type: "string" }, port: { type: "integer", minimum: 1, maximum: 65535 } },
    },
    postgres: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: {
        url: {
          type: "string",
          pattern: "^postgres(ql)?://",
          description: "Connection URL; use ${ENV} for the password.",
        },
      },
    },
    redis: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: { url: { type: "string", pattern: "^rediss?://" } },
    },
  },
  oneOf: [{ required: ["http"] }, { required: ["tcp"] }, { required: ["postgres"] }, { required: ["redis"] }],
} as const;

const admin = {
  type: "object",
  additionalProperties: false,
  description:
    "The admin API (maintenance windows, silences). Without `jwt` every admin route answers 503: there is no way to authenticate.",
  properties: {
    jwt: {
      type: "object",
      additionalProperties: false,
      required: ["issuer", "audience"],
      description:
        "How admin requests authenticate: `Authorization: Bearer <JWT>` signed with the HS256 secret or by a key of the JWKS.",
      properties: {
        hs256_secret_file: {
          type: "string",
          minLength: 1,
          description:
            "File holding the HS256 secret (at least 32 bytes); the native stack generates LOOKOUT_HOME/secrets/admin_jwt_secret.",
        },
        hs256_secret_env: {
          type: "string",
          pattern: "^[A-Z_][A-Z0-9_]*$",
          description: "Name of an environment variable holding the HS256 secret (instead of a file).",
        },
        jwks_url: {
          type: "string",
          pattern: "^https?://",
          description:
            "JWKS URL of the identity provider for RS/PS/ES/EdDSA tokens; the same URL as Grafana's [auth.jwt] jwk_set_url.",
        },
        issuer: { type: "string", minLength: 1, description: "Required `iss` claim." },
        audience: { type: "string", minLength: 1, description: "Required `aud` claim (one of the token's audiences)." },
        clock_skew: { ...duration, default: "30s", description: "Tolerance for exp/nbf/iat between hosts' clocks." },
        write_claim: {
          type: "string",
          minLength: 1,
          default: "scope",
          description:
            "Claim that must contain write_value for writes: a space-separated string (scope) or an array (roles).",
        },
        write_value: { type: "string", minLength: 1, default: "lookout:admin" },
      },
      anyOf: [{ required: ["hs256_secret_file"] }, { required: ["hs256_secret_env"] }, { required: ["jwks_url"] }],
    },
    alertmanager: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      description: "Alertmanager whose v2 API holds silences; maintenance windows create silences there.",
      properties: {
        url: { type: "string", pattern: "^https?://", description: "Base URL, e.g. http://127.0.0.1:9093." },
        timeout: { ...duration, default: "5s" },
        headers: {
          type: "object",
          additionalProperties: { type: "string" },
          description:
            "Sent with every call, e.g. authorization for an Alertmanager behind basic auth (its --web.config.file).",
        },
      },
    },
  },
} as const;

export const configSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://lookout.dev/schemas/health-aggregator.json",
  title: "Lookout health aggregator configuration",
  type: "object",
  additionalProperties: false,
  required: ["targets"],
  properties: {
    defaults: {
      type: "object",
      additionalProperties: false,
      description: "Values every target inherits unless it sets its own.",
      properties: {
        interval: { ...duration, default: "15s" },
        timeout: { ...duration, default: "5s" },
        retries: { type: "integer", minimum: 0, maximum: 5, default: 0 },
        degraded_after: { ...duration, description: "Response time above which a healthy answer counts as degraded." },
        failures_to_down: { type: "integer", minimum: 1, maximum: 20, default: 2 },
        successes_to_up: { type: "integer", minimum: 1, maximum: 20, default: 2 },
      },
    },
    public_status: {
      type: "object",
      additionalProperties: false,
      description: "What the unauthenticated /api/v1/status shows.",
      properties: {
        details: {
          type: "boolean",
          default: false,
          description:
            "true: every target, with its last check error (which can name internal addresses); false: only public targets, without error text.",
        },
      },
    },
    cors: {
      type: "object",
      additionalProperties: false,
      description: "Cross-origin access to the API from browser pages. Default: none.",
      properties: {
        origins: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Origins (scheme://host[:port], exactly as the browser sends them) whose pages may call the API, e.g. a team's dashboard.",
        },
      },
    },
    history: {
      type: "object",
      additionalProperties: false,
      properties: {
        raw_days: { type: "integer", minimum: 1, maximum: 90, default: 7 },
        minute_days: { type: "integer", minimum: 1, maximum: 366, default: 30 },
        hour_days: { type: "integer", minimum: 30, maximum: 366, default: 366 },
      },
    },
    synthetics: syntheticsConfigSchema,
    admin,
    targets: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "instances"],
        properties: {
          id: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$", maxLength: 64 },
          name: { type: "string", maxLength: 120 },
          system: { type: "string", description: "The system this target belongs to on the status page." },
          interval: duration,
          timeout: duration,
          retries: { type: "integer", minimum: 0, maximum: 5 },
          degraded_after: duration,
          failures_to_down: { type: "integer", minimum: 1, maximum: 20 },
          successes_to_up: { type: "integer", minimum: 1, maximum: 20 },
          depends_on: { type: "array", items: { type: "string" }, uniqueItems: true },
          labels,
          public: { type: "boolean", default: true, description: "Shown on the public /status page." },
          instances: { type: "array", minItems: 1, items: instance },
        },
      },
    },
  },
} as const;
