/**
 * The sentinel's config file schema (JSON Schema draft-07). config.ts validates the YAML with it; it is published as
 * sentinel/config.schema.json for editors, and a test keeps the two equal.
 *
 * Secrets never sit in the file: each is named by `<name>_file` (a file holding it) or `<name>_env` (an environment
 * variable holding it); config.ts requires exactly one of the two where a secret is needed.
 */

const duration = {
  type: "string",
  pattern: "^[0-9]+(ms|s|m|h)$",
  description: "A duration such as 500ms, 15s, 5m, 1h.",
} as const;

/** `<name>_file` and `<name>_env` for one secret. */
function secret(name: string, what: string) {
  return {
    [`${name}_file`]: {
      type: "string",
      minLength: 1,
      description: `A file holding ${what} (trailing newline ignored).`,
    },
    [`${name}_env`]: {
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
      description: `An environment variable holding ${what}.`,
    },
  } as const;
}

const httpUrl = { type: "string", pattern: "^https?://" } as const;

const receiver = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[A-Za-z0-9_.-]+$", description: "Names the receiver in logs and metrics." },
    webhook: {
      type: "object",
      additionalProperties: false,
      description: 'POSTs a JSON notification (docs/sentinel.md, "Notifications").',
      properties: {
        url: { ...httpUrl, description: "The URL, when it is not a secret." },
        ...secret("url", "the URL, when it is a secret"),
        ...secret("token", "a bearer token sent as Authorization"),
      },
    },
    email: {
      type: "object",
      additionalProperties: false,
      required: ["smarthost", "from", "to"],
      properties: {
        smarthost: { type: "string", pattern: "^[^:/\\s]+:[0-9]+$", description: "SMTP relay host:port." },
        from: { type: "string", minLength: 3 },
        to: { type: "array", minItems: 1, items: { type: "string", minLength: 3 } },
        username: { type: "string", minLength: 1, description: "SMTP login; its password from password_file/_env." },
        ...secret("password", "the SMTP password"),
        require_tls: {
          type: "boolean",
          default: true,
          description: "Refuse to send unless the relay offers STARTTLS (or the port is 465, TLS from the start).",
        },
      },
    },
    chat: {
      type: "object",
      additionalProperties: false,
      description: 'A Slack-compatible incoming webhook: POSTs {"text": …}. Its URL grants posting: a secret.',
      properties: secret("url", "the incoming-webhook URL"),
    },
  },
} as const;

export const sentinelConfigSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://lookout.dev/schemas/sentinel.json",
  title: "Lookout sentinel config",
  type: "object",
  additionalProperties: false,
  required: ["notify"],
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      default: "lookout-sentinel",
      description: "Names this sentinel in every notification (e.g. the host it runs on).",
    },
    listen: {
      type: "object",
      additionalProperties: false,
      properties: {
        host: { type: "string", minLength: 1, default: "0.0.0.0" },
        port: { type: "integer", minimum: 1, maximum: 65535, default: 9095 },
      },
    },
    heartbeat: {
      type: "object",
      additionalProperties: false,
      description: "Alertmanager's Watchdog notifications, POSTed to /api/v1/heartbeat with a bearer token.",
      properties: {
        interval: { ...duration, default: "1m", description: "How often Alertmanager sends the Watchdog." },
        grace: { ...duration, default: "30s", description: "How late a heartbeat may be before it counts as missed." },
        alertname: { type: "string", minLength: 1, default: "Watchdog" },
        ...secret("token", "the bearer token Alertmanager sends (its credentials_file)"),
      },
    },
    probe: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      description: "The public status page, fetched from outside.",
      properties: {
        url: { ...httpUrl, description: "The aggregator's /api/v1/status (expect json) or /status (expect html)." },
        expect: { type: "string", enum: ["json", "html"], default: "json" },
        interval: { ...duration, default: "30s" },
        timeout: { ...duration, default: "5s" },
        failures: {
          type: "integer",
          minimum: 1,
          maximum: 100,
          default: 3,
          description: "Consecutive failed probes that make an incident.",
        },
      },
    },
    notify: {
      type: "object",
      additionalProperties: false,
      required: ["receivers"],
      properties: {
        within: {
          ...duration,
          default: "30s",
          description: "How long a notification is retried before it is given up (and logged, and counted).",
        },
        renotify: { ...duration, default: "1h", description: "Repeat an open incident's notification this often." },
        receivers: { type: "array", minItems: 1, items: receiver },
      },
    },
    metrics: {
      type: "object",
      additionalProperties: false,
      description: "/metrics (Prometheus text) behind a bearer token; without one it is not served.",
      properties: secret("token", "the bearer token /metrics requires"),
    },
  },
} as const;
