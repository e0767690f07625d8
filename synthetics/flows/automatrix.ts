/**
 * AutoMatrix's critical journey, end to end through all three systems: a synthetic user signs in, creates a
 * workflow, executes it (AutoMatrix → RelayCore → NeuroWeaver for each AI step), waits for the execution to be
 * recorded, and checks its output and that its cost was recorded. The workflow and the session are removed
 * afterwards, whatever happened.
 */
import { defineFlow, type StepContext } from "../src/types.js";

/** What one run of the invoice workflow may cost: two small AI calls are far below a cent. */
export const AUTOMATRIX_RUN_BUDGET_USD = 0.02;

export default defineFlow({
  name: "automatrix-workflow",
  description:
    "Create an invoice workflow in AutoMatrix, run it through RelayCore and NeuroWeaver, check output and cost",
  schedule: "*/2 * * * *",
  timeoutMs: 60_000,
  retry: { retries: 1, backoffMs: 1_000 },
  alertAfter: 3,
  // A failure is confirmed within half a minute instead of two schedule intervals (each run writes to PostgreSQL
  // and calls two models, so the schedule itself stays at two minutes).
  recheckMs: 15_000,
  secrets: { password: "LOOKOUT_SYNTHETIC_PASSWORD" },
  steps: [
    {
      name: "sign-in",
      request: {
        method: "POST",
        url: "{{urls.automatrix}}/api/v1/sessions",
        // A dedicated synthetic account on a reserved domain: no real user's data in any run.
        json: { email: "synthetic-monitor@lookout.invalid", password: "{{secrets.password}}" },
      },
      assert: [
        { kind: "status", equals: 201 },
        { kind: "jsonPath", path: "$.session_id", matches: "^[0-9a-f-]{36}$" },
      ],
      extract: { sessionId: { jsonPath: "$.session_id", secret: true } },
    },
    {
      name: "create-workflow",
      // Creating twice would leave an orphan behind: no retry.
      retry: { retries: 0, backoffMs: 0 },
      request: {
        method: "POST",
        url: "{{urls.automatrix}}/api/v1/workflows",
        json: { name: "lookout synthetic check", template: "invoice-processing" },
      },
      assert: [
        { kind: "status", equals: 201 },
        { kind: "jsonPath", path: "$.steps.length", equals: 3 },
      ],
      extract: { workflowId: { jsonPath: "$.id" } },
    },
    {
      name: "execute",
      retry: { retries: 0, backoffMs: 0 },
      request: {
        method: "POST",
        url: "{{urls.automatrix}}/api/v1/workflows/{{workflowId}}/execute",
        headers: { "x-session-id": "{{sessionId}}" },
        json: { input: { vendor: "Synthetic Supplies Ltd", amount: "1250.00", currency: "EUR", due: "2026-12-31" } },
      },
      assert: [
        { kind: "status", equals: 200 },
        { kind: "jsonPath", path: "$.status", equals: "success" },
        // Field extraction needs the extract capability: RelayCore must route it to Mixtral, not fail over.
        { kind: "model", path: "$.steps[0].model", expected: "nw-mixtral-8x7b" },
        {
          kind: "tokenUsage",
          inputPath: "$.steps[0].usage.input_tokens",
          outputPath: "$.steps[0].usage.output_tokens",
        },
        { kind: "notTruncated", finishReasonPath: "$.steps[0].finish_reason" },
        { kind: "jsonPath", path: "$.steps[1].status", equals: "success" },
        { kind: "model", path: "$.steps[2].model", expected: "nw-llama-3-8b" },
        { kind: "notTruncated", finishReasonPath: "$.steps[2].finish_reason" },
        { kind: "jsonPath", path: "$.steps[2].output", matches: "\\S" },
        { kind: "costUnder", path: "$.cost_usd", budgetUsd: AUTOMATRIX_RUN_BUDGET_USD },
      ],
      extract: { executionId: { jsonPath: "$.execution_id" }, executionCost: { jsonPath: "$.cost_usd" } },
    },
    {
      name: "wait-for-completion",
      provides: ["recordedCost"],
      async run(ctx: StepContext) {
        // Poll the execution record until it is final; then its recorded cost must be the cost the run reported.
        for (let attempt = 1; ; attempt++) {
          const response = await ctx.http({
            method: "GET",
            url: `${ctx.vars["urls.automatrix"]}/api/v1/executions/${ctx.vars.executionId}`,
          });
          if (response.status !== 200) ctx.fail("GET execution", 200, response.status);
          const execution = response.json as { status?: string; cost_usd?: unknown };
          if (execution.status === "success") {
            const recorded = execution.cost_usd;
            const reported = Number(ctx.vars.executionCost);
            if (typeof recorded !== "number" || !(recorded > 0)) ctx.fail("recorded cost", "a positive cost", recorded);
            if (Math.abs(recorded - reported) > 1e-8) ctx.fail("recorded cost", reported, recorded);
            ctx.vars.recordedCost = String(recorded);
            return;
          }
          if (execution.status !== "running" || attempt >= 20)
            ctx.fail("execution status", "success", execution.status);
          await ctx.sleep(500);
        }
      },
    },
  ],
  cleanup: [
    {
      name: "delete-workflow",
      request: { method: "DELETE", url: "{{urls.automatrix}}/api/v1/workflows/{{workflowId}}" },
      assert: [{ kind: "status", equals: 204 }],
    },
    {
      name: "sign-out",
      request: { method: "DELETE", url: "{{urls.automatrix}}/api/v1/sessions/{{sessionId}}" },
      assert: [{ kind: "status", equals: 204 }],
    },
  ],
  // Span names and attributes as the demo services emit them (instrumentation/contract.json, "aiSpan").
  traceAssertions: [
    {
      name: "ai-steps-metered",
      description: "every AI step of the workflow carries its cost, its token counts and the workflow's id",
      select: { service: "relaycore", kind: "client", attributes: { "gen_ai.operation.name": { exists: true } } },
      expect: [
        // Two of the invoice template's three steps call a model (extract fields, summarise).
        { kind: "count", equals: 2 },
        { kind: "status", equals: ["ok", "unset"] },
        { kind: "attribute", key: "gen_ai.usage.cost", value: { greaterThan: 0 } },
        { kind: "attribute", key: "gen_ai.usage.input_tokens", value: { greaterThan: 0 } },
        { kind: "attribute", key: "gen_ai.usage.output_tokens", value: { greaterThan: 0 } },
        { kind: "attribute", key: "workflow.id", value: "{{workflowId}}" },
      ],
    },
    {
      name: "crosses-three-services",
      description: "each model call goes AutoMatrix → RelayCore → NeuroWeaver in one trace",
      select: {
        service: "neuroweaver",
        kind: "server",
        name: "POST /v1/inference",
        ancestor: {
          service: "relaycore",
          kind: "server",
          name: "POST /v1/completions",
          ancestor: { service: "automatrix", kind: "server", name: "POST /api/v1/workflows/{id}/execute" },
        },
      },
      expect: [
        { kind: "count", equals: 2 },
        { kind: "status", equals: ["ok", "unset"] },
      ],
    },
  ],
});
