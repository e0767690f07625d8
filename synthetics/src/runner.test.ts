/**
 * The runner against real HTTP servers on port 0, with an in-memory span exporter: traces (root, a span per step,
 * traceparent on every request), variables from step to step, retries, failures with expected and actual, cleanup,
 * a timeout that aborts the request in flight (driven by a hand-fired timer, no sleeping), and secrets scrubbed from
 * the result and from every span.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { type RunClock, runFlow } from "./runner.js";
import { createTracing } from "./tracing.js";
import { defineFlow, type Flow, type StepContext } from "./types.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** A real server on port 0; the handler gets every request with its body read. */
async function serve(
  handler: (req: Seen, res: ServerResponse, raw: IncomingMessage) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      handler(entry, res, req);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function tracing() {
  const exporter = new InMemorySpanExporter();
  const t = createTracing({ spanProcessor: new SimpleSpanProcessor(exporter) });
  return { tracer: t.tracer, spans: () => exporter.getFinishedSpans() };
}

const base = { description: "test flow", schedule: "* * * * *", timeoutMs: 10_000, alertAfter: 2 };

describe("runFlow", () => {
  it("runs the steps in order as one trace, passing extracted variables and injecting traceparent", async () => {
    const api = await serve((req, res) => {
      if (req.url === "/items") return json(res, 201, { id: "item-42", revision: "v7" }, { etag: '"v7"' });
      if (req.url === "/items/item-42") return json(res, 200, { id: "item-42", version: "v7" });
      json(res, 404, {});
    });
    const t = tracing();
    const flow = defineFlow({
      ...base,
      name: "items",
      retry: { retries: 0, backoffMs: 0 },
      steps: [
        {
          name: "create",
          request: { method: "POST", url: "{{urls.api}}/items", json: { name: "x" } },
          assert: [{ kind: "status", equals: 201 }],
          extract: { itemId: { jsonPath: "$.id" }, etag: { header: "ETag" }, version: { pattern: '"(v\\d+)"' } },
        },
        {
          name: "read",
          request: { method: "GET", url: "{{urls.api}}/items/{{itemId}}", headers: { "if-none-match": "{{etag}}" } },
          assert: [{ kind: "jsonPath", path: "$.version", equals: "{{version}}" }],
        },
      ],
    });
    const result = await runFlow(flow, { tracer: t.tracer, urls: { api: `${api.url}/` } });
    expect(result.outcome, result.error).toBe("success");
    expect(result.steps.map((s) => [s.name, s.status, s.httpStatus])).toEqual([
      ["create", "passed", 201],
      ["read", "passed", 200],
    ]);
    expect(api.seen.map((r) => r.url)).toEqual(["/items", "/items/item-42"]);
    expect(api.seen[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(api.seen[0]!.body)).toEqual({ name: "x" });
    expect(api.seen[1]!.headers["if-none-match"]).toBe('"v7"');

    const spans = t.spans();
    const root = spans.find((s) => s.name === "synthetic items")!;
    expect(root.attributes.synthetic).toBe(true);
    expect(root.attributes["synthetic.outcome"]).toBe("success");
    expect(result.traceId).toBe(root.spanContext().traceId);
    const steps = spans.filter((s) => s.name.startsWith("step "));
    expect(steps.map((s) => s.name)).toEqual(["step create", "step read"]);
    for (const [i, step] of steps.entries()) {
      expect(step.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(step.spanContext().traceId).toBe(result.traceId);
      // Each request carries its step's span as parent: the service's server span joins the run's trace.
      expect(api.seen[i]!.headers.traceparent).toBe(`00-${result.traceId}-${step.spanContext().spanId}-01`);
      expect(result.steps[i]!.spanId).toBe(step.spanContext().spanId);
    }
  });

  it("reports the failed assertion with expected and actual, skips the rest, runs cleanup, and marks the trace", async () => {
    const api = await serve((req, res) => {
      if (req.method === "DELETE") return json(res, 200, { removed: true });
      json(res, 200, { model: "external-large", usage: { input_tokens: 12, output_tokens: 0 } });
    });
    const t = tracing();
    const flow = defineFlow({
      ...base,
      name: "ai",
      retry: { retries: 0, backoffMs: 0 },
      steps: [
        {
          name: "ask",
          request: { method: "POST", url: "{{urls.api}}/v1/completions", json: { prompt: "hi" } },
          assert: [
            { kind: "status", equals: 200 },
            { kind: "model", path: "$.model", expected: "nw-llama-3-8b" },
          ],
          extract: { answer: { jsonPath: "$.model" } },
        },
        { name: "never", request: { method: "GET", url: "{{urls.api}}/never" } },
      ],
      cleanup: [
        { name: "tidy", request: { method: "DELETE", url: "{{urls.api}}/things" } },
        { name: "tidy-answer", request: { method: "DELETE", url: "{{urls.api}}/things/{{answer}}" } },
      ],
    });
    const result = await runFlow(flow, { tracer: t.tracer, urls: { api: api.url } });
    expect(result.outcome).toBe("failure");
    expect(result.steps[0]).toMatchObject({
      name: "ask",
      status: "failed",
      httpStatus: 200,
      failure: { assertion: "model $.model", expected: '"nw-llama-3-8b"', actual: '"external-large"' },
    });
    expect(result.steps[1]).toMatchObject({ name: "never", status: "skipped" });
    // Cleanup runs; a cleanup step whose variable never got a value is skipped (nothing to remove).
    expect(result.steps.slice(2).map((s) => [s.name, s.status, s.cleanup])).toEqual([
      ["tidy", "passed", true],
      ["tidy-answer", "skipped", true],
    ]);
    expect(api.seen.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v1/completions", "DELETE /things"]);
    expect(result.error).toBe('step "ask": model $.model: expected "nw-llama-3-8b", got "external-large"');
    const spans = t.spans();
    const root = spans.find((s) => s.name === "synthetic ai")!;
    expect(root.status.code).toBe(2);
    expect(root.attributes["synthetic.outcome"]).toBe("failure");
    const ask = spans.find((s) => s.name === "step ask")!;
    expect(ask.status).toMatchObject({ code: 2 });
    expect(ask.attributes["synthetic.expected"]).toBe('"nw-llama-3-8b"');
    expect(ask.attributes["synthetic.actual"]).toBe('"external-large"');
  });

  it("retries a failed step with its policy and reports the attempts", async () => {
    let calls = 0;
    const api = await serve((_req, res) => {
      calls++;
      json(res, calls < 3 ? 503 : 200, { ok: calls >= 3 });
    });
    const t = tracing();
    const flow = defineFlow({
      ...base,
      name: "flaky",
      retry: { retries: 0, backoffMs: 0 },
      steps: [
        {
          name: "call",
          retry: { retries: 2, backoffMs: 1 },
          request: { method: "GET", url: "{{urls.api}}/" },
          assert: [{ kind: "status", equals: 200 }],
        },
      ],
    });
    const result = await runFlow(flow, { tracer: t.tracer, urls: { api: api.url } });
    expect(result.outcome).toBe("success");
    expect(result.steps[0]).toMatchObject({ status: "passed", attempts: 3 });
    const span = t.spans().find((s) => s.name === "step call")!;
    expect(span.events.filter((e) => e.name === "retry")).toHaveLength(2);
  });

  it("times out: aborts the request in flight, fails the run as timeout, and still runs cleanup", async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    let requestArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    const api = await serve((req, res, raw) => {
      if (req.method === "DELETE") return json(res, 204, {});
      // Hang: never answer; note when the client gives up.
      raw.socket.on("close", () => closed());
      requestArrived();
    });
    // A clock whose run timeout fires when the test says so; other timers are real.
    const timers: { fn: () => void; ms: number }[] = [];
    const clock: RunClock = {
      now: () => Date.now(),
      setTimeout: (fn, ms) => {
        const entry = { fn, ms };
        timers.push(entry);
        return entry;
      },
      clearTimeout: (handle) => {
        const i = timers.indexOf(handle as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const t = tracing();
    const flow = defineFlow({
      ...base,
      name: "slow",
      timeoutMs: 5_000,
      retry: { retries: 3, backoffMs: 10 },
      steps: [
        { name: "hang", request: { method: "GET", url: "{{urls.api}}/hang" } },
        { name: "after", request: { method: "GET", url: "{{urls.api}}/after" } },
      ],
      cleanup: [{ name: "tidy", request: { method: "DELETE", url: "{{urls.api}}/things" } }],
    });
    const running = runFlow(flow, { tracer: t.tracer, urls: { api: api.url }, clock });
    await arrived;
    const runTimer = timers.find((x) => x.ms === 5_000)!;
    runTimer.fn();
    const result = await running;
    await connectionClosed; // the hanging request's socket was closed by the abort
    expect(result.outcome).toBe("timeout");
    expect(result.steps[0]).toMatchObject({
      name: "hang",
      status: "failed",
      attempts: 1, // no retry after the run's budget is spent
      failure: { assertion: "timeout", expected: "done within 5000 ms" },
    });
    expect(result.steps[1]).toMatchObject({ name: "after", status: "skipped" });
    expect(result.steps[2]).toMatchObject({ name: "tidy", status: "passed", cleanup: true });
    expect(result.error).toContain("exceeded its timeout of 5000 ms");
    expect(timers).toEqual([]); // every timer the run set was cleared
  });

  it("keeps secrets out of the result, the error and every span, even when a response echoes them", async () => {
    const secret = "s3cr3t-Pa55word-for-synthetics";
    const api = await serve((req, res) => {
      if (req.url === "/login") return json(res, 201, { token: "tok-0123456789abcdef" });
      json(res, 200, { echo: req.headers["x-api-key"], body: req.body });
    });
    const t = tracing();
    const flow = defineFlow({
      ...base,
      name: "secretive",
      retry: { retries: 0, backoffMs: 0 },
      secrets: { key: "TEST_SYNTHETIC_KEY" },
      steps: [
        {
          name: "login",
          request: { method: "POST", url: "{{urls.api}}/login", json: { password: "{{secrets.key}}" } },
          extract: { token: { jsonPath: "$.token", secret: true } },
        },
        {
          name: "use",
          request: {
            method: "POST",
            url: "{{urls.api}}/echo?key={{secrets.key}}",
            headers: { "x-api-key": "{{secrets.key}}", authorization: "Bearer {{token}}" },
            json: { password: "{{secrets.key}}" },
          },
          assert: [{ kind: "body", contains: "nothing like this" }],
        },
      ],
    });
    const result = await runFlow(flow, {
      tracer: t.tracer,
      urls: { api: api.url },
      env: { TEST_SYNTHETIC_KEY: secret },
    });
    expect(api.seen[1]!.headers["x-api-key"]).toBe(secret); // it was really sent
    expect(api.seen[1]!.headers.authorization).toBe("Bearer tok-0123456789abcdef");
    expect(result.outcome).toBe("failure");
    const text = JSON.stringify(result);
    expect(text).toContain("[REDACTED]"); // the echoed value, in "actual"
    expect(text).not.toContain(secret);
    expect(text).not.toContain("tok-0123456789abcdef");
    const spanText = JSON.stringify(
      t.spans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
    );
    expect(spanText).not.toContain(secret);
    expect(spanText).not.toContain("tok-0123456789abcdef");
  });

  it("fails before any request when a secret's environment variable is not set, naming it", async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const flow = defineFlow({
      ...base,
      name: "needs-secret",
      retry: { retries: 0, backoffMs: 0 },
      secrets: { key: "TEST_UNSET_SECRET" },
      steps: [{ name: "one", request: { method: "GET", url: "{{urls.api}}/?k={{secrets.key}}" } }],
    });
    const result = await runFlow(flow, { tracer: tracing().tracer, urls: { api: api.url }, env: {} });
    expect(result.outcome).toBe("failure");
    expect(result.error).toBe('secret "key": environment variable TEST_UNSET_SECRET is not set');
    expect(result.steps[0]!.status).toBe("skipped");
    expect(api.seen).toHaveLength(0);
  });

  it("runs a function step: traced HTTP calls, variables, and ctx.fail with expected and actual", async () => {
    let polls = 0;
    const api = await serve((_req, res) => {
      polls++;
      json(res, 200, { status: polls < 3 ? "running" : "success", cost_usd: 0.0031 });
    });
    const t = tracing();
    const flow: Flow = defineFlow({
      ...base,
      name: "poller",
      retry: { retries: 0, backoffMs: 0 },
      steps: [
        {
          name: "wait",
          provides: ["cost"],
          async run(ctx: StepContext) {
            for (;;) {
              const r = await ctx.http({ method: "GET", url: `${ctx.vars["urls.api"]}/execution` });
              const body = r.json as { status: string; cost_usd: number };
              if (body.status === "success") {
                ctx.vars.cost = String(body.cost_usd);
                return;
              }
              await ctx.sleep(1);
            }
          },
        },
        {
          name: "check",
          async run(ctx: StepContext) {
            if (Number(ctx.vars.cost) > 0.001) ctx.fail("cost", "at most 0.001", Number(ctx.vars.cost));
            return Promise.resolve();
          },
        },
      ],
    });
    const result = await runFlow(flow, { tracer: t.tracer, urls: { api: api.url } });
    expect(polls).toBe(3);
    expect(result.steps[0]).toMatchObject({ name: "wait", status: "passed" });
    expect(result.steps[1]).toMatchObject({
      name: "check",
      status: "failed",
      failure: { expected: "at most 0.001", actual: "0.0031", message: "cost: expected at most 0.001, got 0.0031" },
    });
    const wait = t.spans().find((s) => s.name === "step wait")!;
    expect(wait.attributes["http.response.status_code"]).toBe(200);
  });
});
