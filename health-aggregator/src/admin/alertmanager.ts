/**
 * Alertmanager's v2 silences API (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml):
 * `POST /api/v2/silences`, `GET /api/v2/silences`, `DELETE /api/v2/silence/{id}` (expires it). A silence in Lookout
 * is always an Alertmanager silence; the aggregator only relays, so `amtool silence query` shows the same list.
 */
import { request } from "undici";

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false means != (or !~ with isRegex). */
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: "active" | "pending" | "expired";
}

/** Alertmanager could not be reached or refused the call; `status` is its HTTP status, when it answered. */
export class AlertmanagerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class AlertmanagerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5_000,
    /** Sent with every call (e.g. authorization). */
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  private async call(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    let response;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? { ...this.headers } : { ...this.headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (error) {
      throw new AlertmanagerError(`Alertmanager did not answer: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      // Alertmanager's error bodies are short JSON strings such as "silence not found".
      throw new AlertmanagerError(
        `Alertmanager answered ${response.statusCode}: ${text.trim().slice(0, 200)}`,
        response.statusCode,
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async create(silence: Omit<Silence, "id" | "state">): Promise<string> {
    const { silenceID } = (await this.call("POST", "/api/v2/silences", silence)) as { silenceID: string };
    return silenceID;
  }

  async list(): Promise<Silence[]> {
    const raw = (await this.call("GET", "/api/v2/silences")) as (Omit<Silence, "state"> & {
      status: { state: Silence["state"] };
      updatedAt?: string;
    })[];
    return raw.map((s) => ({
      id: s.id,
      matchers: s.matchers.map((m) => ({
        name: m.name,
        value: m.value,
        isRegex: m.isRegex,
        isEqual: m.isEqual ?? true,
      })),
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      createdBy: s.createdBy,
      comment: s.comment,
      state: s.status.state,
    }));
  }

  /** Expires a silence; expiring one that is already expired is not an error. */
  async expire(id: string): Promise<void> {
    try {
      await this.call("DELETE", `/api/v2/silence/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof AlertmanagerError && error.status === 500 && /already expired/i.test(error.message)) return;
      throw error;
    }
  }
}

/** Escapes a literal for an Alertmanager regex matcher (Go RE2 syntax, anchored by Alertmanager). */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}
