/**
 * Faults on the real binaries: the collector under the Supervisor, Jaeger and Prometheus as processes this test stops
 * and starts itself (the Supervisor would restart them after a second). Jaeger down for 60 s under load must lose no
 * kept trace (the persistent sending queue and retries hold them); Prometheus restarted must leave no gap in span
 * metrics beyond its own downtime (remote write retries, and its out-of-order window takes the late samples).
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, eventually } from "../../testkit/index.js";
import {
  type CollectorStack,
  jaegerTraces,
  newSpanId,
  newTraceId,
  otlpRequest,
  postTraces,
  promSamples,
  promSum,
  type SpanInput,
  startCollectorStack,
} from "./harness.js";

const FLUSH_SECONDS = 2;

/** Sends `tracesPerTick` three-span error traces (always kept) every 100 ms until stopped. */
class Load {
  readonly traceIds: string[] = [];
  readonly statuses: number[] = [];
  spans = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(port: number, token: string, service: string, tracesPerTick: number, error: boolean) {
    this.done = (async () => {
      while (this.running) {
        const spans: SpanInput[] = [];
        for (let i = 0; i < tracesPerTick; i++) {
          const traceId = newTraceId();
          const root = newSpanId();
          const resource = { "service.name": service };
          spans.push({ traceId, spanId: root, name: "root", resource });
          spans.push({ traceId, parentSpanId: root, name: "child", error, statusMessage: "boom", resource });
          spans.push({ traceId, parentSpanId: root, name: "child", resource });
          this.traceIds.push(traceId);
        }
        const { status } = await postTraces(port, otlpRequest(spans), token);
        this.statuses.push(status);
        if (status === 200) this.spans += spans.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("collector faults", () => {
  let stack: CollectorStack;
  const tag = randomBytes(3).toString("hex");

  setUpSuite(async () => {
    stack = await startCollectorStack({
      ownBackends: true,
      collectorEnv: {
        LOOKOUT_SAMPLING_DECISION_WAIT: "2s",
        LOOKOUT_SPAN_METRICS_FLUSH_INTERVAL: `${FLUSH_SECONDS}s`,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("loses no kept trace while Jaeger is down for 60 s under load", async () => {
    const load = new Load(stack.ports.OTLP_HTTP, stack.token, `jaeger-outage-${tag}`, 2, true);
    await sleep(5_000);
    await stack.jaeger!.stop();
    await sleep(60_000);
    await stack.jaeger!.start();
    await sleep(5_000);
    await load.stop();
    // Every request was accepted: the outage never reached the clients.
    expect(load.statuses.filter((s) => s !== 200)).toEqual([]);
    expect(load.traceIds.length).toBeGreaterThan(500);

    const missing = await eventually(
      async () => {
        const stored = await jaegerTraces(stack.jaegerApi, load.traceIds);
        const incomplete = load.traceIds.filter((id) => (stored.get(id) ?? []).length !== 3);
        return incomplete.length === 0 ? incomplete : undefined;
      },
      180_000,
      `all ${load.traceIds.length} error traces complete in Jaeger after its outage`,
    );
    expect(missing).toEqual([]);
  }, 360_000);

  it("leaves no gap in span metrics beyond Prometheus' own downtime when it restarts", async () => {
    const service = `prometheus-restart-${tag}`;
    const load = new Load(stack.ports.OTLP_HTTP, stack.token, service, 1, false);
    await sleep(10_000);
    const downAt = Date.now() / 1000;
    await stack.prometheus!.stop();
    await sleep(15_000);
    await stack.prometheus!.start();
    const upAt = Date.now() / 1000;
    await sleep(15_000);
    await load.stop();
    expect(load.statuses.filter((s) => s !== 200)).toEqual([]);

    // Exact after the restart: the cumulative count reaches every span sent.
    const selector = `traces_span_metrics_calls_total{service_name="${service}"}`;
    await eventually(
      async () => ((await promSum(stack.prom, `sum(${selector})`)) === load.spans ? true : undefined),
      90_000,
      `${load.spans} calls in Prometheus`,
    );
    // One sample per flush for each series (root, child ok): a missing flush shows as a gap of two intervals or more.
    const series = await promSamples(stack.prom, `${selector}[10m]`);
    expect(series.length).toBeGreaterThan(0);
    const gaps: string[] = [];
    for (const samples of series) {
      for (let i = 1; i < samples.length; i++) {
        const [a, b] = [samples[i - 1]!.t, samples[i]!.t];
        const overlapsDowntime = b >= downAt && a <= upAt;
        const allowed = overlapsDowntime ? upAt - downAt + 2 * FLUSH_SECONDS : 1.5 * FLUSH_SECONDS;
        if (b - a > allowed) gaps.push(`${(b - a).toFixed(1)} s gap at ${new Date(a * 1000).toISOString()}`);
      }
    }
    expect(gaps).toEqual([]);
  }, 240_000);
});
