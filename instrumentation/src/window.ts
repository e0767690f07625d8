/**
 * The `metrics` block of HealthCheckResponse: requests per minute, error rate and average response time over the last
 * 60 seconds. One bucket per second in a ring, so recording is O(1) and memory is constant whatever the traffic.
 */
export interface WindowSummary {
  requestsPerMinute: number;
  /** Fraction of requests answered 5xx (0–1). */
  errorRate: number;
  /** Milliseconds, rounded to 0.01. */
  avgResponseTime: number;
}

const SECONDS = 60;

export class RequestWindow {
  private readonly second = new Float64Array(SECONDS).fill(-1);
  private readonly count = new Float64Array(SECONDS);
  private readonly errors = new Float64Array(SECONDS);
  private readonly totalMs = new Float64Array(SECONDS);

  /** now: clock seam (milliseconds since the epoch). */
  constructor(private readonly now: () => number = Date.now) {}

  record(durationMs: number, error: boolean): void {
    const s = Math.floor(this.now() / 1000);
    const i = s % SECONDS;
    if (this.second[i] !== s) {
      this.second[i] = s;
      this.count[i] = 0;
      this.errors[i] = 0;
      this.totalMs[i] = 0;
    }
    this.count[i]! += 1;
    this.totalMs[i]! += durationMs;
    if (error) this.errors[i]! += 1;
  }

  summary(): WindowSummary {
    const s = Math.floor(this.now() / 1000);
    let n = 0;
    let errors = 0;
    let totalMs = 0;
    for (let i = 0; i < SECONDS; i++) {
      const at = this.second[i]!;
      if (at > s - SECONDS && at <= s) {
        n += this.count[i]!;
        errors += this.errors[i]!;
        totalMs += this.totalMs[i]!;
      }
    }
    if (n === 0) return { requestsPerMinute: 0, errorRate: 0, avgResponseTime: 0 };
    return {
      requestsPerMinute: n,
      errorRate: Math.round((errors / n) * 10_000) / 10_000,
      avgResponseTime: Math.round((totalMs / n) * 100) / 100,
    };
  }
}
