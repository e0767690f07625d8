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
import { LookoutError } from "./errors.js";
import { REPO_ROOT } from "./paths.js";

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
