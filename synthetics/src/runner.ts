/**
 * Runs one flow: one trace per run (root span `synthetic <flow>` with `synthetic=true`, a child span per step,
 * `traceparent` on every request so the services' spans join it), steps in order with retries, variables passed
 * from step to step, cleanup steps whatever happened, and a result per step. The run's timeout aborts whatever is in
 * flight (the AbortSignal reaches every undici request and function step), fails the run as `timeout`, and still
 * runs the cleanup. Secrets are scrubbed from the result and from every span before it leaves the process.
 */
import { randomUUID } from "node:crypto";
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { type Dispatcher, request } from "undici";
import { abortableSleep, untilAborted } from "./abort.js";
import { firstFailure } from "./assertions.js";
import { type RunClock, realClock } from "./clock.js";
import { traceAfterRun, type TraceOptions } from "./trace-check.js";
import { extract } from "./extract.js";
import { expand, expandJson, MissingVariable, Scrubber } from "./template.js";
import {
  type Assertion,
  type Flow,
  type FunctionStep,
  type HttpRequestSpec,
  type HttpStep,
  isHttpStep,
  type RunResult,
  type Step,
  type StepContext,
  type StepFailure,
  type StepResponse,
  type StepResult,
} from "./types.js";

export type { RunClock } from "./clock.js";
export type { TraceOptions } from "./trace-check.js";

export interface RunOptions {
  tracer: Tracer;
  /** Base URL of each system, `{{urls.<name>}}` in requests. */
  urls: Readonly<Record<string, string>>;
  env?: NodeJS.ProcessEnv;
  trigger?: RunResult["trigger"];
  dispatcher?: Dispatcher;
  clock?: RunClock;
  /** Aborts the run from outside (shutdown); counts as a timeout. */
  signal?: AbortSignal;
  /** Budget for the cleanup steps after the run (default: the lesser of 15 s and the flow's timeout). */
  cleanupTimeoutMs?: number;
  /** Largest response body read, in bytes (default 1 MiB); a bigger one fails the step. */
  maxBodyBytes?: number;
  /** The trace store; without it the flow's trace assertions are not evaluated (the result has no `trace`). */
  traces?: TraceOptions;
  /**
   * Called once the steps and the cleanup are done and the root span has ended — before the wait for the trace, so a
   * scheduler can start the flow's next run while this one's trace assertions are still pending.
   */
  onStepsDone?: () => void;
}

class StepFailed extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
  }
}

class RunTimeout extends Error {
  constructor(ms: number) {
    super(`the run exceeded its timeout of ${ms} ms`);
  }
}

const USER_AGENT = "lookout-synthetics/0.1 (+https://github.com/lookout)";

function traceparent(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-0${(c.traceFlags & 1).toString()}`;
}

async function readBody(body: Dispatcher.ResponseData["body"], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw new Error(`the response body is larger than ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Expected values in assertions may use variables too (e.g. the deployment id an earlier step created). */
function expandAssertion(a: Assertion, vars: Readonly<Record<string, string>>): Assertion {
  switch (a.kind) {
    case "jsonPath":
    case "header":
      return typeof a.equals === "string" ? { ...a, equals: expand(a.equals, vars) } : a;
    case "body":
      return a.contains !== undefined ? { ...a, contains: expand(a.contains, vars) } : a;
    case "model":
      return {
        ...a,
        expected: typeof a.expected === "string" ? expand(a.expected, vars) : a.expected.map((e) => expand(e, vars)),
      };
    default:
      return a;
  }
}

export async function runFlow(flow: Flow, options: RunOptions): Promise<RunResult> {
  const clock = options.clock ?? realClock;
  const env = options.env ?? process.env;
  const scrubber = new Scrubber();
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const runId = randomUUID();
  const startedAt = clock.now();
  const started = performance.now();
  const vars: Record<string, string> = {};
  for (const [name, url] of Object.entries(options.urls)) vars[`urls.${name}`] = url.replace(/\/+$/, "");
  let setupError: string | undefined;
  for (const [name, variable] of Object.entries(flow.secrets ?? {})) {
    const value = env[variable];
    if (value === undefined || value === "") {
      setupError ??= `secret "${name}": environment variable ${variable} is not set`;
      continue;
    }
    vars[`secrets.${name}`] = value;
    scrubber.add(value);
  }

  const root = options.tracer.startSpan(`synthetic ${flow.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      synthetic: true,
      "synthetic.flow": flow.name,
      "synthetic.run_id": runId,
      "synthetic.trigger": options.trigger ?? "manual",
    },
  });
  const rootContext = trace.setSpan(context.active(), root);
  const traceId = root.spanContext().traceId;

  // The run's budget: one controller, aborted by the timeout or by the caller.
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new RunTimeout(flow.timeoutMs)), flow.timeoutMs);
  const onOuterAbort = () => controller.abort(new RunTimeout(flow.timeoutMs));
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  /** The status of the latest response, reported with the step even when an assertion then fails. */
  let lastStatus: number | undefined;

  /** One traced HTTP call inside a step's span. */
  const call = async (spec: HttpRequestSpec, span: Span, signal: AbortSignal): Promise<StepResponse> => {
    const url = expand(spec.url, vars);
    const headers: Record<string, string> = { "user-agent": USER_AGENT };
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = expand(v, vars);
    let body: string | undefined;
    if (spec.json !== undefined) {
      body = JSON.stringify(expandJson(spec.json, vars));
      headers["content-type"] ??= "application/json";
    }
    headers.traceparent = traceparent(span);
    span.setAttributes({ "http.request.method": spec.method, "url.full": scrubber.scrub(url.split("?")[0]!) });
    const t0 = performance.now();
    const response = await request(url, {
      method: spec.method,
      headers,
      body,
      signal,
      dispatcher: options.dispatcher,
    });
    const text = await readBody(response.body, maxBody);
    const durationMs = performance.now() - t0;
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers))
      if (v !== undefined) responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    span.setAttribute("http.response.status_code", response.statusCode);
    lastStatus = response.statusCode;
    return { status: response.statusCode, headers: responseHeaders, text, json, durationMs };
  };

  const httpAttempt = async (step: HttpStep, span: Span, signal: AbortSignal): Promise<void> => {
    const response = await call(step.request, span, signal);
    const failed = firstFailure(
      (step.assert ?? []).map((a) => expandAssertion(a, vars)),
      response,
    );
    if (failed) throw new StepFailed(failed);
    for (const [name, how] of Object.entries(step.extract ?? {})) {
      const got = extract(name, how, response);
      if ("failure" in got) throw new StepFailed(got.failure);
      vars[name] = got.value;
      if (how.secret) scrubber.add(got.value);
    }
  };

  const functionAttempt = async (step: FunctionStep, span: Span, signal: AbortSignal): Promise<void> => {
    const ctx: StepContext = {
      vars,
      http: (spec) => call(spec, span, signal),
      fail: (message, expected, actual) => {
        const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
        throw new StepFailed({
          assertion: step.name,
          expected: show(expected),
          actual: show(actual),
          message: `${message}: expected ${show(expected)}, got ${show(actual)}`,
        });
      },
      signal,
      sleep: (ms) => abortableSleep(ms, signal, clock),
    };
    await untilAborted(step.run(ctx), signal);
  };

  const runStep = async (step: Step, signal: AbortSignal, cleanup: boolean): Promise<StepResult> => {
    const retry = step.retry ?? flow.retry;
    const span = options.tracer.startSpan(
      `step ${step.name}`,
      {
        kind: isHttpStep(step) ? SpanKind.CLIENT : SpanKind.INTERNAL,
        attributes: { synthetic: true, "synthetic.flow": flow.name, "synthetic.step": step.name },
      },
      rootContext,
    );
    const t0 = performance.now();
    let attempts = 0;
    let failure: StepFailure | undefined;
    lastStatus = undefined;
    for (;;) {
      attempts++;
      failure = undefined;
      try {
        if (isHttpStep(step)) await untilAborted(httpAttempt(step, span, signal), signal);
        else await functionAttempt(step, span, signal);
      } catch (error) {
        if (error instanceof StepFailed) failure = error.failure;
        else if (signal.aborted || error instanceof RunTimeout) {
          const reason = signal.reason instanceof Error ? signal.reason.message : "the run was aborted";
          failure = {
            assertion: "timeout",
            expected: `done within ${flow.timeoutMs} ms`,
            actual: "still running",
            message: reason,
          };
        } else if (error instanceof MissingVariable)
          failure = {
            assertion: "variables",
            expected: `a value for {{${error.variable}}}`,
            actual: "(none)",
            message: error.message,
          };
        else {
          const message = (error as Error).message || String(error);
          failure = {
            assertion: "request",
            expected: "a response",
            actual: message,
            message: `request failed: ${message}`,
          };
        }
      }
      if (!failure || signal.aborted || attempts > retry.retries) break;
      span.addEvent("retry", { "synthetic.attempt": attempts, "synthetic.reason": scrubber.scrub(failure.message) });
      try {
        await abortableSleep(retry.backoffMs, signal, clock);
      } catch {
        break;
      }
    }
    const durationMs = performance.now() - t0;
    const httpStatus = lastStatus;
    span.setAttribute("synthetic.step.attempts", attempts);
    if (failure) {
      const scrubbed = scrubber.scrubDeep(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: scrubbed.message });
      span.setAttributes({
        "synthetic.assertion": scrubbed.assertion,
        "synthetic.expected": scrubbed.expected,
        "synthetic.actual": scrubbed.actual,
      });
    }
    span.end();
    return {
      name: step.name,
      status: failure ? "failed" : "passed",
      durationMs: Math.round(durationMs * 10) / 10,
      attempts,
      ...(cleanup ? { cleanup: true } : {}),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(failure ? { failure } : {}),
      spanId: span.spanContext().spanId,
    };
  };

  const results: StepResult[] = [];
  let firstError: string | undefined = setupError;
  try {
    for (const step of flow.steps) {
      if (firstError !== undefined || controller.signal.aborted) {
        results.push({ name: step.name, status: "skipped", durationMs: 0, attempts: 0 });
        continue;
      }
      const result = await runStep(step, controller.signal, false);
      results.push(result);
      if (result.failure) firstError = `step "${step.name}": ${result.failure.message}`;
    }
  } finally {
    clock.clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  const timedOut = controller.signal.aborted;
  if (timedOut && firstError === undefined) firstError = new RunTimeout(flow.timeoutMs).message;

  // Cleanup: always, on a fresh budget, skipping a step whose variables never got a value (nothing to remove).
  if (flow.cleanup && flow.cleanup.length > 0) {
    const budget = options.cleanupTimeoutMs ?? Math.min(15_000, flow.timeoutMs);
    const cleanupController = new AbortController();
    const cleanupTimer = clock.setTimeout(() => cleanupController.abort(new RunTimeout(budget)), budget);
    try {
      for (const step of flow.cleanup) {
        const needed = isHttpStep(step) ? JSON.stringify(step.request) : "";
        const missing = [...needed.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g)].some(
          (m) => vars[m[1]!] === undefined,
        );
        if (missing || cleanupController.signal.aborted) {
          results.push({ name: step.name, status: "skipped", durationMs: 0, attempts: 0, cleanup: true });
          continue;
        }
        const result = await runStep(step, cleanupController.signal, true);
        results.push(result);
        if (result.failure && firstError === undefined)
          firstError = `cleanup step "${step.name}": ${result.failure.message}`;
      }
    } finally {
      clock.clearTimeout(cleanupTimer);
    }
  }

  let outcome: RunResult["outcome"] = timedOut ? "timeout" : firstError !== undefined ? "failure" : "success";
  // The root span tells the steps' outcome: it must end (and reach the gateway) before the trace can be read.
  root.setAttribute("synthetic.outcome", outcome);
  if (outcome !== "success")
    root.setStatus({ code: SpanStatusCode.ERROR, message: scrubber.scrub(firstError ?? outcome) });
  root.end();
  options.onStepsDone?.();

  // Only a run whose steps passed waits for its trace: one that already failed reports at once (the paging path of
  // docs/runbook.md, "Latency budget", has no room for the sampler's decision wait) and links to its trace anyway.
  const assertions = flow.traceAssertions ?? [];
  let traceResult: RunResult["trace"];
  if (assertions.length > 0 && options.traces && outcome === "success") {
    const spanIds = [root.spanContext().spanId, ...results.flatMap((r) => (r.spanId ? [r.spanId] : []))];
    traceResult = await traceAfterRun(assertions, vars, traceId, spanIds, options.traces, clock, options.signal);
    const failed = traceResult.assertions.find((a) => a.status === "failed");
    if (failed) {
      if (outcome === "success") outcome = "failure";
      firstError ??= failed.message;
    }
  }

  return scrubber.scrubDeep({
    flow: flow.name,
    runId,
    traceId,
    trigger: options.trigger ?? "manual",
    startedAt,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    outcome,
    steps: results,
    ...(firstError !== undefined ? { error: firstError } : {}),
    ...(traceResult ? { trace: traceResult } : {}),
  });
}
