/**
 * The client-IP policy (LOOKOUT_CLIENT_IP_POLICY) on the real collector: `truncate` keeps the network part of client
 * addresses (IPv4 /24, IPv6 /48), `keep` leaves them alone. The default, `mask`, is covered by the redaction corpus.
 */
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../testkit/index.js";
import { attrMap, type CollectorStack, jaegerTrace, newTraceId, sendSpans, startCollectorStack } from "./harness.js";

describe("client IP policy", () => {
  let stack: CollectorStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  async function roundTrip(policy: string, clientAddress: string): Promise<{ attr: unknown; name: string }> {
    stack = await startCollectorStack({
      collectorEnv: { LOOKOUT_SAMPLING_DECISION_WAIT: "1s", LOOKOUT_CLIENT_IP_POLICY: policy },
    });
    const traceId = newTraceId();
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, [
      {
        traceId,
        name: `blocked ${clientAddress}`,
        error: true, // always kept
        attributes: { "client.address": clientAddress },
        resource: { "service.name": "ip-policy" },
      },
    ]);
    const [found] = await eventually(
      async () => {
        const spans = await jaegerTrace(stack!.jaegerApi, traceId);
        return spans.length === 1 ? spans : undefined;
      },
      60_000,
      "the span in Jaeger",
    );
    return { attr: attrMap(found!.span.attributes)["client.address"], name: found!.span.name };
  }

  it("truncates IPv4 client addresses to /24 and masks addresses in span names", async () => {
    expect(await roundTrip("truncate", "203.0.113.77")).toEqual({ attr: "203.0.113.0", name: "blocked ****" });
  });

  it("truncates IPv6 client addresses to /48", async () => {
    expect((await roundTrip("truncate", "2001:db8:85a3:0:0:8a2e:370:7334")).attr).toBe("2001:db8:85a3::");
  });

  it("keeps client addresses when the policy says so", async () => {
    expect(await roundTrip("keep", "198.51.100.23")).toEqual({
      attr: "198.51.100.23",
      name: "blocked 198.51.100.23",
    });
  });
});
