/**
 * RelayCore's critical journey: route a chat request and check what an AI router must get right — the model it
 * chose (a silent model change or a failover to the secondary provider is caught), token counts, the cost within
 * budget, and an answer that was not cut off at max_tokens. Its trace shows what the answer cannot: that RelayCore
 * reached the answer without failing over (a failed primary call followed by the secondary's answer is one HTTP 200)
 * and called NeuroWeaver exactly once.
 */
import { defineFlow } from "../src/types.js";

export const RELAYCORE_CALL_BUDGET_USD = 0.005;

export default defineFlow({
  name: "relaycore-chat",
  description:
    "Route a chat request through RelayCore; check the model chosen, token counts, cost and a complete answer",
  // Every 10 s, rechecked 5 s after a failure, alerting at the second failed run (each run already tries twice): the
  // journey that pages must reach the pager within 30 s of breaking (docs/runbook.md, "Latency budget"). One run is
  // one call to the cheapest model, about 0.26 USD a day at this rate.
  schedule: "*/10 * * * * *",
  timeoutMs: 30_000,
  retry: { retries: 1, backoffMs: 1_000 },
  alertAfter: 2,
  recheckMs: 5_000,
  steps: [
    {
      name: "route-chat",
      request: {
        method: "POST",
        url: "{{urls.relaycore}}/v1/completions",
        json: {
          prompt: "Lookout synthetic check: answer with a one-line greeting.",
          task: "chat",
          priority: "latency",
          max_tokens: 1024,
        },
      },
      assert: [
        { kind: "status", equals: 200 },
        {
          kind: "jsonSchema",
          schema: {
            type: "object",
            required: ["model", "provider", "reason", "output", "finish_reason", "usage", "cost_usd"],
            properties: {
              model: { type: "string" },
              provider: { type: "string" },
              reason: { type: "string" },
              output: { type: "string", minLength: 1 },
              finish_reason: { type: "string" },
              usage: {
                type: "object",
                required: ["input_tokens", "output_tokens"],
                properties: { input_tokens: { type: "integer" }, output_tokens: { type: "integer" } },
              },
              cost_usd: { type: "number" },
            },
          },
        },
        // The latency priority routes chat to the fastest primary model; anything else is a change or a failover.
        { kind: "model", path: "$.model", expected: "nw-llama-3-8b" },
        { kind: "jsonPath", path: "$.provider", equals: "neuroweaver" },
        { kind: "jsonPath", path: "$.reason", oneOf: ["latency", "budget"] },
        { kind: "tokenUsage", inputPath: "$.usage.input_tokens", outputPath: "$.usage.output_tokens" },
        { kind: "costUnder", path: "$.cost_usd", budgetUsd: RELAYCORE_CALL_BUDGET_USD },
        { kind: "notTruncated", finishReasonPath: "$.finish_reason" },
      ],
    },
    {
      name: "check-budget",
      request: { method: "GET", url: "{{urls.relaycore}}/v1/budget" },
      assert: [
        { kind: "status", equals: 200 },
        { kind: "jsonPath", path: "$.daily.spent_usd", greaterThan: 0 },
        { kind: "header", name: "content-type", matches: "^application/json" },
      ],
    },
  ],
  // Span names and attributes as demo/relaycore/app.ts and NeuroWeaver's instrumentation emit them.
  traceAssertions: [
    {
      name: "no-failover",
      description: "RelayCore answered from its primary provider, without falling back",
      select: { service: "relaycore", attributes: { "relaycore.selection.reason": "fallback" } },
      expect: [{ kind: "count", equals: 0 }],
    },
    {
      name: "primary-call-succeeded",
      description: "RelayCore's one call to a model succeeded, and was metered",
      select: { service: "relaycore", kind: "client", name: { matches: "^chat " } },
      expect: [
        { kind: "count", equals: 1 },
        { kind: "status", equals: ["ok", "unset"] },
        { kind: "attribute", key: "gen_ai.provider.name", value: "neuroweaver" },
        { kind: "attribute", key: "gen_ai.usage.cost", value: { greaterThan: 0 } },
      ],
    },
    {
      name: "neuroweaver-called-once",
      description: "NeuroWeaver ran the inference once, for RelayCore's request",
      select: {
        service: "neuroweaver",
        kind: "server",
        name: "POST /v1/inference",
        ancestor: { service: "relaycore", kind: "server", name: "POST /v1/completions" },
      },
      expect: [
        { kind: "count", equals: 1 },
        { kind: "status", equals: ["ok", "unset"] },
      ],
    },
  ],
});
