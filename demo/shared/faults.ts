/**
 * Fault injection for the demo services, behind `/admin/faults` and the admin token:
 *
 * | knob | effect |
 * |---|---|
 * | `latencyMs` | every API request waits this long before it is handled |
 * | `errorRate` | this fraction (0–1) of API requests is answered 500 |
 * | `down` | the service stops answering: every request except /admin hangs until the fault is reset |
 * | `failDependency` | calls to this dependency (`database`, `redis`, `relaycore`, `neuroweaver`) fail, and its health check too |
 * | `primaryOutage` | RelayCore: the primary provider (NeuroWeaver) is unreachable, so requests fail over to the secondary |
 * | `runawayCost` | RelayCore: every call is billed as a runaway (25× cost); NeuroWeaver: responses run 10× longer |
 *
 * `POST /admin/faults` with a JSON object sets the knobs it names; `DELETE /admin/faults` resets all; `GET` shows them.
 * /health, /metrics and /admin are never slowed or failed by latencyMs and errorRate (only `down` stops them).
 */
export interface Faults {
  latencyMs: number;
  errorRate: number;
  down: boolean;
  failDependency: string | null;
  primaryOutage: boolean;
  runawayCost: boolean;
}

export type FaultKnob = keyof Faults;

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  down: false,
  failDependency: null,
  primaryOutage: false,
  runawayCost: false,
});

/** Paths that faults other than `down` never touch. */
const OPERATIONAL = /^\/(health|metrics|admin)(\/|$|\?)/;

export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultError";
  }
}

export class FaultInjector {
  private faults: Faults = { ...NO_FAULTS };
  private readonly held = new Set<() => void>();

  /**
   * knobs: the knobs this service supports beyond the common ones; dependencies: what failDependency may name;
   * random: randomness seam for errorRate.
   */
  constructor(
    private readonly knobs: readonly FaultKnob[],
    private readonly dependencies: readonly string[],
    private readonly random: () => number = Math.random,
  ) {}

  get state(): Readonly<Faults> {
    return this.faults;
  }

  /** Applies a partial update; returns an error message (and changes nothing) when it is not valid. */
  update(input: unknown): string | undefined {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return "body must be a JSON object";
    const next: Faults = { ...this.faults };
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      if (!(key in NO_FAULTS)) return `unknown fault "${key}"; known: ${Object.keys(NO_FAULTS).join(", ")}`;
      const knob = key as FaultKnob;
      if (!this.supported(knob)) return `this service has no "${knob}" fault`;
      if (knob === "latencyMs") {
        if (typeof value !== "number" || !(value >= 0 && value <= 120_000)) return "latencyMs must be 0–120000";
        next.latencyMs = value;
      } else if (knob === "errorRate") {
        if (typeof value !== "number" || !(value >= 0 && value <= 1)) return "errorRate must be 0–1";
        next.errorRate = value;
      } else if (knob === "failDependency") {
        if (value !== null && (typeof value !== "string" || !this.dependencies.includes(value))) {
          return `failDependency must be null or one of ${this.dependencies.join(", ")}`;
        }
        next.failDependency = value;
      } else {
        if (typeof value !== "boolean") return `${knob} must be true or false`;
        next[knob] = value;
      }
    }
    this.faults = next;
    if (!next.down) this.releaseHeld();
    return undefined;
  }

  reset(): void {
    this.faults = { ...NO_FAULTS };
    this.releaseHeld();
  }

  supported(knob: FaultKnob): boolean {
    return ["latencyMs", "errorRate", "down", "failDependency"].includes(knob) || this.knobs.includes(knob);
  }

  /** Throws when calls to this dependency are failing by injection. */
  guard(dependency: string): void {
    if (this.faults.failDependency === dependency) throw new FaultError(`${dependency} unavailable (injected fault)`);
  }

  /**
   * What to do with a request to path before it is handled: "hang" (down: never answer; onRelease runs when the
   * fault is reset, to close the connection), "error" (answer 500), or "continue" (after any injected latency).
   */
  async admit(path: string, onRelease: () => void): Promise<"hang" | "error" | "continue"> {
    if (path.startsWith("/admin")) return "continue";
    if (this.faults.down) {
      this.held.add(onRelease);
      return "hang";
    }
    if (OPERATIONAL.test(path)) return "continue";
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) return "error";
    return "continue";
  }

  private releaseHeld(): void {
    for (const release of this.held) release();
    this.held.clear();
  }
}
