/** The values that pass between the aggregator's stages: a check produces a CheckResult, nothing else. */

export type Status = "healthy" | "degraded" | "unhealthy";

export const STATUS_CODE: Record<Status, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
export const STATUS_OF_CODE: readonly Status[] = ["healthy", "degraded", "unhealthy"];

export interface DependencyStatus {
  status: Status;
  responseTime: number;
}

export interface CheckResult {
  targetId: string;
  instance: string;
  role: "primary" | "secondary";
  status: Status;
  /** Epoch ms when the check started. */
  at: number;
  durationMs: number;
  /** Why it is not healthy, in one line; never a stack trace. */
  error?: string;
  httpStatus?: number;
  dependencies?: Record<string, DependencyStatus>;
}

/** The worse of two statuses. */
export function worst(a: Status, b: Status): Status {
  return STATUS_CODE[a] >= STATUS_CODE[b] ? a : b;
}
