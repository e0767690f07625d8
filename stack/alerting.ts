/**
 * Values for the notification placeholders of alerts/alertmanager.yml and prometheus/prometheus.yml: where people are
 * notified (e-mail, Slack-compatible chat) and whether they are. Off unless LOOKOUT_ALERT_NOTIFY=on, so a stack
 * without a mail server or chat never fails notifications; the aggregator's webhook receives every alert either way.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `LOOKOUT_ALERT_NOTIFY` | `off` | `on`: page and ticket by e-mail and chat (alerts/alertmanager.yml's people routes) |
 * | `LOOKOUT_SMTP_SMARTHOST` | — (required when on) | SMTP relay `host:port` (STARTTLS required) |
 * | `LOOKOUT_SMTP_FROM` | `lookout@localhost` | sender address |
 * | `LOOKOUT_SMTP_USERNAME` | `lookout` | SMTP login; its password is the file `secrets/smtp_password` |
 * | `LOOKOUT_ALERT_EMAIL_TO` | — (required when on) | where pages and tickets are mailed |
 * | `secrets/chat_webhook_url` | — (required when on) | the chat's incoming-webhook URL (a secret: it grants posting) |
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LookoutError, REPO_ROOT } from "../shared/index.js";

export function alertingRenderValues(secretsDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = (env.LOOKOUT_ALERT_NOTIFY ?? "off").trim() || "off";
  if (raw !== "on" && raw !== "off") {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `LOOKOUT_ALERT_NOTIFY=${JSON.stringify(raw)}: expected on or off`);
  }
  const chatUrlFile = join(secretsDir, "chat_webhook_url");
  if (raw === "on") {
    const missing = [
      ...(["LOOKOUT_SMTP_SMARTHOST", "LOOKOUT_ALERT_EMAIL_TO"] as const).filter((n) => !env[n]?.trim()),
      ...(existsSync(chatUrlFile) ? [] : [chatUrlFile]),
    ];
    if (missing.length > 0) {
      throw new LookoutError(
        "LOOKOUT_ERR_CONFIG",
        `LOOKOUT_ALERT_NOTIFY=on needs e-mail and chat settings; missing: ${missing.join(", ")} (see docs/runbook.md, "Who gets notified")`,
      );
    }
  }
  return {
    LOOKOUT_ALERT_NOTIFY: raw,
    LOOKOUT_ALERT_TEMPLATES_DIR: join(REPO_ROOT, "alerts", "templates"),
    LOOKOUT_SMTP_SMARTHOST: env.LOOKOUT_SMTP_SMARTHOST?.trim() || "localhost:25",
    LOOKOUT_SMTP_FROM: env.LOOKOUT_SMTP_FROM?.trim() || "lookout@localhost",
    LOOKOUT_SMTP_USERNAME: env.LOOKOUT_SMTP_USERNAME?.trim() || "lookout",
    LOOKOUT_SMTP_PASSWORD_FILE: join(secretsDir, "smtp_password"),
    LOOKOUT_ALERT_EMAIL_TO: env.LOOKOUT_ALERT_EMAIL_TO?.trim() || "oncall@localhost",
    LOOKOUT_CHAT_WEBHOOK_URL_FILE: chatUrlFile,
  };
}

const DURATION = /^[0-9]+(ms|s|m|h)$/;

/**
 * Values for the sentinel placeholders (the Watchdog's route to a sentinel on another host, docs/sentinel.md). On
 * when LOOKOUT_SENTINEL_URL is set; otherwise the route never matches and the watchdog reaches the aggregator only.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `LOOKOUT_SENTINEL_URL` | — (off) | the sentinel's heartbeat URL, `http(s)://<host>:9095/api/v1/heartbeat` |
 * | `LOOKOUT_SENTINEL_TOKEN_FILE` | `secrets/sentinel_token` | the bearer token Alertmanager sends (required when on) |
 * | `LOOKOUT_SENTINEL_INTERVAL` | `1m` | how often the watchdog is sent: the sentinel's `heartbeat.interval` |
 * | `LOOKOUT_SENTINEL_GROUP_INTERVAL` | `10s` | how often Alertmanager looks at the group (keep well below the interval) |
 */
export function sentinelRenderValues(secretsDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const url = env.LOOKOUT_SENTINEL_URL?.trim() ?? "";
  const tokenFile = env.LOOKOUT_SENTINEL_TOKEN_FILE?.trim() || join(secretsDir, "sentinel_token");
  const interval = env.LOOKOUT_SENTINEL_INTERVAL?.trim() || "1m";
  const groupInterval = env.LOOKOUT_SENTINEL_GROUP_INTERVAL?.trim() || "10s";
  for (const [name, value] of [
    ["LOOKOUT_SENTINEL_INTERVAL", interval],
    ["LOOKOUT_SENTINEL_GROUP_INTERVAL", groupInterval],
  ] as const) {
    if (!DURATION.test(value)) {
      throw new LookoutError("LOOKOUT_ERR_CONFIG", `${name}=${JSON.stringify(value)}: expected a duration such as 1m`);
    }
  }
  if (url) {
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      throw new LookoutError("LOOKOUT_ERR_CONFIG", `LOOKOUT_SENTINEL_URL: expected an http(s) URL (docs/sentinel.md)`);
    }
    if (!existsSync(tokenFile)) {
      throw new LookoutError(
        "LOOKOUT_ERR_CONFIG",
        `LOOKOUT_SENTINEL_URL is set but its token file ${tokenFile} does not exist (LOOKOUT_SENTINEL_TOKEN_FILE; docs/sentinel.md)`,
      );
    }
  }
  return {
    LOOKOUT_SENTINEL: url ? "on" : "off",
    // RFC 2606 reserves .invalid: the name never resolves, and no alert is routed there while off.
    LOOKOUT_SENTINEL_URL: url || "http://sentinel.invalid/api/v1/heartbeat",
    LOOKOUT_SENTINEL_TOKEN_FILE: tokenFile,
    LOOKOUT_SENTINEL_INTERVAL: interval,
    LOOKOUT_SENTINEL_GROUP_INTERVAL: groupInterval,
  };
}
