/**
 * The load generator: a steady, realistic mix of traffic to AutoMatrix (and some deployments to NeuroWeaver), with
 * personal data inside request fields the way real users leak it. Open loop: requests start on schedule whatever the
 * answers, so a slow service sees its queue grow as it would in production.
 *
 * Mix (per request): 10% sign in, 8% create a workflow, 55% execute one, 20% list or read workflows, 5% sign out,
 * 2% deploy a model.
 */
import { request } from "undici";
import { cardNumber, email, phoneNumber, type Random, secretToken } from "./pii.js";

export interface LoadTargets {
  automatrixUrl: string;
  neuroweaverUrl: string;
}

export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
  byKind: Record<string, number>;
}

const TEMPLATES = ["invoice-processing", "support-triage", "lead-enrichment", "report-digest"];
const MODELS = ["nw-llama-3-8b", "nw-mixtral-8x7b", "nw-llama-3-70b"];

export class LoadGenerator {
  readonly stats: LoadStats = { sent: 0, ok: 0, failed: 0, byKind: {} };
  /** Every piece of personal data sent so far (tests check none of it appears in a log). */
  readonly piiSent = new Set<string>();
  private readonly workflows: string[] = [];
  private readonly sessions: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly targets: LoadTargets,
    private readonly random: Random,
    /** Per request; a fault-injected service must not hold the generator up. */
    private readonly timeoutMs = 20_000,
  ) {}

  /** Starts sending ratePerSecond requests per second until stop(). */
  start(ratePerSecond: number): void {
    const interval = 1000 / ratePerSecond;
    this.timer = setInterval(() => {
      const one = this.one().finally(() => this.inFlight.delete(one));
      this.inFlight.add(one);
    }, interval);
  }

  /** Stops sending; waits up to a second for requests in flight (a load generator's answers are not worth more). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)));
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
  }

  /** Sends n requests one after another (tests). */
  async send(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.one();
  }

  private pii<T extends string>(value: T): T {
    this.piiSent.add(value);
    return value;
  }

  private async one(): Promise<void> {
    const r = this.random();
    if (this.workflows.length === 0 || r < 0.08) return this.createWorkflow();
    if (this.sessions.length === 0 || r < 0.18) return this.signIn();
    if (r < 0.73) return this.execute();
    if (r < 0.93) return this.read();
    if (r < 0.98) return this.signOut();
    return this.deploy();
  }

  private async call(kind: string, url: string, method: string, body?: object, headers: Record<string, string> = {}) {
    this.stats.sent += 1;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
    try {
      const response = await request(url, {
        method: method as "GET",
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await response.body.text();
      if (response.statusCode < 400) this.stats.ok += 1;
      else this.stats.failed += 1;
      return { status: response.statusCode, json: () => JSON.parse(text) as Record<string, unknown> };
    } catch {
      this.stats.failed += 1;
      return undefined;
    }
  }

  private async signIn(): Promise<void> {
    const answer = await this.call("sign-in", `${this.targets.automatrixUrl}/api/v1/sessions`, "POST", {
      email: this.pii(email(this.random)),
      password: this.pii(`pw-${secretToken(this.random).slice(-12)}`),
    });
    if (answer?.status === 201) {
      this.sessions.push(String(answer.json().session_id));
      if (this.sessions.length > 50) this.sessions.shift();
    }
  }

  private async signOut(): Promise<void> {
    const id = this.sessions.shift();
    if (id) await this.call("sign-out", `${this.targets.automatrixUrl}/api/v1/sessions/${id}`, "DELETE");
  }

  private async createWorkflow(): Promise<void> {
    const owner = this.pii(email(this.random));
    const answer = await this.call("create-workflow", `${this.targets.automatrixUrl}/api/v1/workflows`, "POST", {
      name: `Weekly run for ${owner.split("@")[0]}`,
      template: TEMPLATES[Math.floor(this.random() * TEMPLATES.length)],
      description: `Questions to ${owner} or call ${this.pii(phoneNumber(this.random))}`,
      owner_email: owner,
    });
    if (answer?.status === 201) {
      this.workflows.push(String(answer.json().id));
      if (this.workflows.length > 100) this.workflows.shift();
    }
  }

  private async execute(): Promise<void> {
    const id = this.workflows[Math.floor(this.random() * this.workflows.length)];
    const session = this.sessions[Math.floor(this.random() * this.sessions.length)];
    const input: Record<string, string> = {
      customer: this.pii(email(this.random)),
      note: `Paid with ${this.pii(cardNumber(this.random))}, call back on ${this.pii(phoneNumber(this.random))}`,
    };
    if (this.random() < 0.3) input.authorization = `Bearer ${this.pii(secretToken(this.random))}`;
    await this.call(
      "execute",
      `${this.targets.automatrixUrl}/api/v1/workflows/${id}/execute`,
      "POST",
      { input },
      session ? { "x-session-id": session } : {},
    );
  }

  private async read(): Promise<void> {
    const id = this.workflows[Math.floor(this.random() * this.workflows.length)];
    if (this.random() < 0.5) await this.call("list", `${this.targets.automatrixUrl}/api/v1/workflows`, "GET");
    else await this.call("read", `${this.targets.automatrixUrl}/api/v1/workflows/${id}`, "GET");
  }

  private async deploy(): Promise<void> {
    await this.call("deploy", `${this.targets.neuroweaverUrl}/v1/deployments`, "POST", {
      model: MODELS[Math.floor(this.random() * MODELS.length)],
      replicas: 1 + Math.floor(this.random() * 3),
    });
  }
}
