/**
 * NeuroWeaver's critical journey: deploy a model, run inference on that deployment, remove it, and check it no
 * longer serves. A deployment left behind by a failed run is removed by the cleanup step.
 */
import { defineFlow } from "../src/types.js";

export default defineFlow({
  name: "neuroweaver-deploy",
  description: "Deploy a model on NeuroWeaver, run inference on the deployment, remove it",
  schedule: "*/5 * * * *",
  timeoutMs: 60_000,
  retry: { retries: 1, backoffMs: 1_000 },
  alertAfter: 2,
  recheckMs: 30_000,
  steps: [
    {
      name: "list-models",
      request: { method: "GET", url: "{{urls.neuroweaver}}/v1/models" },
      assert: [
        { kind: "status", equals: 200 },
        { kind: "body", contains: '"nw-llama-3-8b"' },
      ],
    },
    {
      name: "deploy",
      // A rollout can fail its readiness gate; a new deployment is what an operator would try next.
      retry: { retries: 3, backoffMs: 500 },
      request: {
        method: "POST",
        url: "{{urls.neuroweaver}}/v1/deployments",
        json: { model: "nw-llama-3-8b", replicas: 1 },
      },
      assert: [
        { kind: "status", equals: 201 },
        { kind: "jsonPath", path: "$.status", equals: "success" },
      ],
      extract: { deploymentId: { jsonPath: "$.id" } },
    },
    {
      name: "inference",
      request: {
        method: "POST",
        url: "{{urls.neuroweaver}}/v1/inference",
        json: {
          model: "nw-llama-3-8b",
          deployment: "{{deploymentId}}",
          prompt: "Lookout synthetic check: say hello.",
          max_tokens: 1024,
        },
      },
      assert: [
        { kind: "status", equals: 200 },
        { kind: "jsonPath", path: "$.deployment", equals: "{{deploymentId}}" },
        { kind: "model", path: "$.model", expected: "nw-llama-3-8b" },
        { kind: "tokenUsage", inputPath: "$.usage.input_tokens", outputPath: "$.usage.output_tokens" },
        { kind: "notTruncated", finishReasonPath: "$.finish_reason" },
      ],
    },
    {
      name: "remove",
      retry: { retries: 0, backoffMs: 0 },
      request: { method: "DELETE", url: "{{urls.neuroweaver}}/v1/deployments/{{deploymentId}}" },
      assert: [
        { kind: "status", equals: 200 },
        { kind: "jsonPath", path: "$.status", equals: "removed" },
      ],
    },
    {
      name: "confirm-removed",
      request: {
        method: "POST",
        url: "{{urls.neuroweaver}}/v1/inference",
        json: { model: "nw-llama-3-8b", deployment: "{{deploymentId}}", prompt: "still there?", max_tokens: 16 },
      },
      assert: [{ kind: "status", equals: 404 }],
    },
  ],
  cleanup: [
    {
      name: "remove-leftover",
      // 404: the run already removed it (the usual case).
      request: { method: "DELETE", url: "{{urls.neuroweaver}}/v1/deployments/{{deploymentId}}" },
      assert: [{ kind: "status", equals: [200, 404] }],
    },
  ],
  // Span names and attributes as NeuroWeaver emits them (demo/python/lookout_demo/neuroweaver.py).
  traceAssertions: [
    {
      name: "deployment-succeeded",
      description: "NeuroWeaver rolled out this run's deployment without an error",
      select: {
        service: "neuroweaver",
        kind: "server",
        name: "POST /v1/deployments",
        attributes: { "neuroweaver.deployment.id": "{{deploymentId}}" },
      },
      expect: [
        { kind: "count", equals: 1 },
        { kind: "status", equals: ["ok", "unset"] },
        { kind: "attribute", key: "neuroweaver.deployment.status", value: "success" },
        { kind: "attribute", key: "http.response.status_code", value: 201 },
      ],
    },
    {
      name: "inference-on-new-deployment",
      description: "the inference step was served by the new deployment, after its rollout",
      select: {
        service: "neuroweaver",
        kind: "server",
        name: "POST /v1/inference",
        parent: { service: "lookout-synthetics", name: "step inference" },
      },
      expect: [
        // At least one: a retried inference step makes more, and each must have been served by the new deployment.
        { kind: "count", atLeast: 1 },
        { kind: "status", equals: ["ok", "unset"] },
        { kind: "attribute", key: "neuroweaver.deployment.id", value: "{{deploymentId}}" },
        { kind: "attribute", key: "gen_ai.request.model", value: "nw-llama-3-8b" },
        {
          kind: "order",
          after: {
            service: "neuroweaver",
            name: "POST /v1/deployments",
            attributes: { "neuroweaver.deployment.id": "{{deploymentId}}" },
          },
        },
      ],
    },
  ],
});
