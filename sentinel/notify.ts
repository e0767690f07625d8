/**
 * Notifications: what a notice says (render, pure) and how it reaches each receiver — webhook (JSON POST), e-mail
 * (SMTP through nodemailer), chat (a Slack-compatible incoming webhook, `{"text": …}`). A message carries only the
 * sentinel's name, the check, the reason, times and the probed URL without credentials or query: never a token, a
 * receiver's URL or an address the config does not name.
 *
 * deliver() retries each receiver with backoff until the notice is `withinMs` old, then gives up and reports it.
 */
import nodemailer from "nodemailer";
import { request } from "undici";
import type { Clock, Notice, ReceiverConfig } from "./types.js";

export interface Message {
  subject: string;
  text: string;
  /** The webhook's JSON body. */
  json: Record<string, unknown>;
}

/** Sends one message to one receiver; rejects with a reason on failure. */
export type Sender = (receiver: ReceiverConfig, message: Message, timeoutMs: number) => Promise<void>;

const WHAT: Record<Notice["check"], string> = {
  heartbeat: "the Watchdog heartbeat from Alertmanager is missing",
  probe: "the public status page is failing",
};
const BACK: Record<Notice["check"], string> = {
  heartbeat: "the Watchdog heartbeat from Alertmanager is back",
  probe: "the public status page answers again",
};

/** The probed URL as a message may show it: scheme, host, port and path; no user, password, query or fragment. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(the configured status page)";
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.round(m / 6) / 10}h`;
}

export function renderNotice(notice: Notice, sentinel: string, probeUrl: string | undefined): Message {
  const tag = { firing: "FIRING", reminder: "STILL FIRING", resolved: "RESOLVED" }[notice.status];
  const headline = notice.status === "resolved" ? BACK[notice.check] : WHAT[notice.check];
  const subject = `[${tag}] ${sentinel}: ${headline}`;
  const lines = [
    subject,
    notice.status === "resolved"
      ? `Down from ${new Date(notice.since).toISOString()} to ${new Date(notice.at).toISOString()} (${duration(notice.at - notice.since)}).`
      : `Since ${new Date(notice.since).toISOString()} (${duration(notice.at - notice.since)}).`,
    `${notice.status === "resolved" ? "It had failed because" : "Reason"}: ${notice.reason}.`,
  ];
  const url = notice.check === "probe" && probeUrl ? publicUrl(probeUrl) : undefined;
  if (url) lines.push(`Probed: ${url}`);
  lines.push("Runbook: docs/sentinel.md (Lookout repository), docs/runbook.md#watchdog.");
  return {
    subject,
    text: lines.join("\n"),
    json: {
      version: "1",
      sentinel,
      status: notice.status,
      check: notice.check,
      summary: headline,
      reason: notice.reason,
      since: new Date(notice.since).toISOString(),
      at: new Date(notice.at).toISOString(),
      ...(url ? { probed: url } : {}),
      text: lines.join("\n"),
    },
  };
}

async function post(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`answered HTTP ${response.statusCode}`);
}

/** The real senders: undici for webhook and chat, nodemailer for e-mail. */
export const sendToReceiver: Sender = async (receiver, message, timeoutMs) => {
  switch (receiver.kind) {
    case "webhook":
      return post(
        receiver.url,
        message.json,
        receiver.token ? { authorization: `Bearer ${receiver.token}` } : {},
        timeoutMs,
      );
    case "chat":
      return post(receiver.url, { text: message.text }, {}, timeoutMs);
    case "email": {
      const transport = nodemailer.createTransport({
        host: receiver.host,
        port: receiver.port,
        secure: receiver.port === 465,
        requireTLS: receiver.requireTls && receiver.port !== 465,
        ...(receiver.auth ? { auth: receiver.auth } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        await transport.sendMail({
          from: receiver.from,
          to: [...receiver.to],
          subject: message.subject,
          text: message.text,
        });
      } finally {
        transport.close();
      }
      return;
    }
  }
};

export interface DeliveryResult {
  receiver: string;
  ok: boolean;
  attempts: number;
  error: string | undefined;
}

/**
 * Sends message to every receiver at once, each retried (1 s, 2 s, 4 s … apart) until it succeeds or the notice is
 * withinMs old. Resolves when every receiver is done; never rejects.
 */
export async function deliver(
  receivers: readonly ReceiverConfig[],
  message: Message,
  deadline: number,
  clock: Clock,
  send: Sender = sendToReceiver,
): Promise<DeliveryResult[]> {
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  return Promise.all(
    receivers.map(async (receiver) => {
      let attempts = 0;
      let error: string | undefined;
      for (let backoff = 1_000; ; backoff *= 2) {
        const left = deadline - clock.now();
        if (left <= 0) break;
        attempts += 1;
        try {
          await send(receiver, message, left);
          return { receiver: receiver.name, ok: true, attempts, error: undefined };
        } catch (e) {
          // The reason only: a failed request's message can carry the receiver's URL, which is a secret for chat.
          error =
            (e as { code?: string }).code ??
            (e instanceof Error && /^answered /.test(e.message) ? e.message : "failed");
        }
        if (deadline - clock.now() <= backoff) break;
        await sleep(backoff);
      }
      return { receiver: receiver.name, ok: false, attempts, error };
    }),
  );
}
