/**
 * Waiting for a run's trace, with a scripted trace source and a virtual clock (each poll interval advances it; no
 * sleeping): the trace is judged once it holds the runner's spans and stops growing; Jaeger failing, a trace that
 * never arrives or stays incomplete, and an abort each make the result "unavailable" with the reason.
 */
import { describe, expect, it } from "vitest";
import type { TraceSource, TraceSpan } from "./jaeger.js";
import { checkTrace, traceAfterRun } from "./trace-check.js";
import type { TraceAssertion } from "./types.js";

const span = (spanId: string, over: Partial<TraceSpan> = {}): TraceSpan => ({
  spanId,
  service: "svc",
  name: spanId,
  kind: "internal",
  startUs: 0,
  durationUs: 1,
  status: "unset",
  attributes: {},
  ...over,
});

const ONE_CALL: TraceAssertion = {
  name: "one-call",
  description: "the backend is called once",
  select: { service: "backend" },
  expect: [{ kind: "count", equals: 1 }],
};

/** Answers in turn (the last one repeats); an Error answer rejects. */
function scripted(answers: (TraceSpan[] | undefined | Error)[]): TraceSource & { calls: number } {
  const source = {
    calls: 0,
    description: "Jaeger at https://jaeger.test",
    fetchTrace() {
      const answer = answers[Math.min(source.calls++, answers.length - 1)];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return source;
}

function virtualTime(signal = new AbortController().signal) {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    signal,
    pollMs: 1_000,
    timeoutMs: 10_000,
  };
}

const runnerSpans = [span("root"), span("step")];
const backend = span("b1", { service: "backend" });

describe("checkTrace", () => {
  it("waits for the trace to hold the runner's spans and stop growing, then evaluates", async () => {
    const source = scripted([undefined, undefined, [span("root")], [...runnerSpans], [...runnerSpans, backend]]);
    const result = await checkTrace([ONE_CALL], "t1", ["root", "step"], { source, ...virtualTime() });
    expect(result).toEqual({
      status: "passed",
      durationMs: 5_000,
      assertions: [{ name: "one-call", status: "passed" }],
    });
    expect(source.calls).toBe(6);
  });

  it("fails when an assertion does not hold", async () => {
    const source = scripted([[...runnerSpans, backend, span("b2", { service: "backend" })]]);
    const result = await checkTrace([ONE_CALL], "t1", ["root", "step"], { source, ...virtualTime() });
    expect(result.status).toBe("failed");
    expect(result.assertions[0]).toMatchObject({ status: "failed", actual: "2", spanId: "b2" });
  });

  it("judges a trace that is complete but still growing at the deadline", async () => {
    let n = 0;
    const source: TraceSource = {
      description: "Jaeger",
      fetchTrace: () => Promise.resolve([...runnerSpans, ...Array.from({ length: ++n }, (_, i) => span(`x${i}`))]),
    };
    const result = await checkTrace([], "t1", ["root"], { source, ...virtualTime() });
    expect(result.status).toBe("passed");
  });

  it.each<[string, (TraceSpan[] | undefined | Error)[], string]>([
    ["a trace that never arrives", [undefined], "trace t1 was not in Jaeger at https://jaeger.test after 10 s"],
    [
      "a trace without the runner's spans",
      [[backend]],
      "trace t1 in Jaeger at https://jaeger.test was still missing spans of the run after 10 s (1 spans)",
    ],
    [
      "Jaeger failing",
      [new Error("connect ECONNREFUSED 127.0.0.1:16686")],
      "Jaeger at https://jaeger.test could not be read: connect ECONNREFUSED 127.0.0.1:16686",
    ],
  ])("%s is unavailable, with the reason, and evaluates nothing", async (_what, answers, reason) => {
    const source = scripted(answers);
    const result = await checkTrace([ONE_CALL], "t1", ["root", "step"], { source, ...virtualTime() });
    expect(result).toEqual({
      status: "unavailable",
      reason,
      durationMs: 10_000,
      assertions: [{ name: "one-call", status: "unavailable" }],
    });
    expect(source.calls).toBe(11);
  });

  it("Jaeger recovering within the timeout is not unavailable", async () => {
    const source = scripted([new Error("503"), new Error("503"), [...runnerSpans, backend]]);
    const result = await checkTrace([ONE_CALL], "t1", ["root", "step"], { source, ...virtualTime() });
    expect(result.status).toBe("passed");
  });

  it("stops waiting when the run is aborted", async () => {
    const abort = new AbortController();
    const time = virtualTime(abort.signal);
    const source = scripted([undefined]);
    const result = await checkTrace([ONE_CALL], "t1", ["root"], {
      source,
      ...time,
      sleep: () => {
        abort.abort();
        return Promise.reject(new Error("aborted"));
      },
    });
    expect(result).toMatchObject({ status: "unavailable", reason: "the run was aborted while waiting for its trace" });
  });
});

describe("traceAfterRun", () => {
  const clock = { now: () => 0, setTimeout: (fn: () => void) => (fn(), 0), clearTimeout: () => {} };

  it("fills in the run's variables, flushes the spans first, and fails an assertion whose variable the run never set", async () => {
    const flushed: string[] = [];
    const source: TraceSource = {
      description: "Jaeger",
      fetchTrace: () => {
        flushed.push("fetch");
        return Promise.resolve([...runnerSpans, span("d1", { service: "backend", attributes: { id: "dep-7" } })]);
      },
    };
    const byId = (name: string, variable: string): TraceAssertion => ({
      name,
      description: "the deployment is this run's",
      select: { service: "backend", attributes: { id: `{{${variable}}}` } },
      expect: [{ kind: "count", equals: 1 }],
    });
    const result = await traceAfterRun(
      [byId("known", "deploymentId"), byId("unknown", "neverSet")],
      { deploymentId: "dep-7" },
      "t1",
      ["root", "step"],
      {
        source,
        flush: () => {
          flushed.push("flush");
          return Promise.resolve();
        },
        pollMs: 1,
        timeoutMs: 10,
      },
      clock,
      undefined,
    );
    expect(flushed.slice(0, 2)).toEqual(["flush", "fetch"]);
    expect(result.status).toBe("failed");
    expect(result.assertions).toEqual([
      { name: "known", status: "passed" },
      {
        name: "unknown",
        status: "failed",
        check: "variables",
        expected: "a value for {{neverSet}}",
        actual: "(none)",
        message:
          'trace assertion "unknown" (the deployment is this run\'s): uses {{neverSet}}, which the run did not set (the step that extracts it did not pass)',
      },
    ]);
  });
});
