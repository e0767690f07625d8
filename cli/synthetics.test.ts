/**
 * `lookout synthetics run`'s printout of a run's trace assertions: each one's outcome, and for a failed one what was
 * expected, what was found and the link to the offending span; an unreadable trace says why.
 */
import { describe, expect, it } from "vitest";
import { formatRun, type RunView } from "./synthetics.js";

const run: RunView = {
  flow: "relaycore-chat",
  runId: "r1",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  trigger: "manual",
  startedAt: 0,
  durationMs: 12_300,
  outcome: "failure",
  steps: [{ name: "route-chat", status: "passed", durationMs: 120, attempts: 1, httpStatus: 200 }],
  error: 'trace assertion "no-failover" (…): count of spans …',
  traceUrl: "https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736",
};

describe("formatRun", () => {
  it("lists the trace assertions, with expected, found and the span's link for a failed one", () => {
    const lines = formatRun({
      ...run,
      trace: {
        status: "failed",
        durationMs: 11_200,
        assertions: [
          {
            name: "no-failover",
            status: "failed",
            check: "count",
            expected: "exactly 0 span(s)",
            actual: "1",
            message:
              'trace assertion "no-failover": … found 1: span "chat external-large" (relaycore, 00f067aa0ba902b7)',
            spanId: "00f067aa0ba902b7",
            spanUrl: "https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736?uiFind=00f067aa0ba902b7",
          },
          { name: "neuroweaver-called-once", status: "passed" },
        ],
      },
    });
    expect(lines).toEqual([
      "relaycore-chat: FAILURE in 12.3 s",
      "  ✓ route-chat (HTTP 200, 120 ms)",
      "  trace assertions: FAILED (11.2 s waiting for the trace)",
      "  ✗ no-failover",
      '      trace assertion "no-failover": … found 1: span "chat external-large" (relaycore, 00f067aa0ba902b7)',
      "      expected: exactly 0 span(s)",
      "      actual:   1",
      "      span:     https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736?uiFind=00f067aa0ba902b7",
      "  ✓ neuroweaver-called-once",
      "  trace: https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736",
    ]);
  });

  it("says why the trace was unavailable", () => {
    const lines = formatRun({
      ...run,
      outcome: "success",
      error: undefined,
      trace: {
        status: "unavailable",
        reason: "Jaeger at https://127.0.0.1:16686 could not be read: connect ECONNREFUSED",
        durationMs: 30_000,
        assertions: [{ name: "no-failover", status: "unavailable" }],
      },
    });
    expect(lines.slice(2, 4)).toEqual([
      "  trace assertions: UNAVAILABLE (30.0 s waiting for the trace)",
      "      Jaeger at https://127.0.0.1:16686 could not be read: connect ECONNREFUSED",
    ]);
  });
});
