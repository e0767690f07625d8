/**
 * One call per AI model call: it sets the span attributes (OpenTelemetry GenAI conventions, plus the cost, the
 * workflow and a keyed hash of the user) and the Prometheus metrics from the same values, so traces, span metrics and
 * scraped metrics can never disagree about a call.
 */
import { createHmac, randomBytes } from "node:crypto";
import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { CONTRACT, type Contract } from "./contract.js";
import type { ServiceMetrics } from "./metrics.js";

export type AiOutcome = "success" | "error" | "timeout" | "rejected";

export interface AiCall {
  /** gen_ai.operation.name: `chat`, `text_completion`, `embeddings`. */
  operation: string;
  /** gen_ai.provider.name, e.g. `neuroweaver`, `openai`. */
  provider: string;
  requestModel: string;
  /** The model that answered, when the provider reports one; defaults to requestModel. */
  responseModel?: string;
  inputTokens: number;
  outputTokens: number;
  /** US dollars. */
  costUsd: number;
  outcome: AiOutcome;
  workflowId?: string;
  /** The raw user id: only its keyed hash leaves this function. */
  userId?: string;
}

/**
 * Span attribute names, from the contract: the GenAI semantic conventions where they exist; `gen_ai.usage.cost` (USD)
 * has no standard attribute yet and is the most used vendor extension.
 */
export const AI_ATTRIBUTES = Object.fromEntries(
  Object.entries(CONTRACT.aiSpan.attributes).map(([key, spec]) => [key, spec.name]),
) as Readonly<Record<keyof Contract["aiSpan"]["attributes"], string>>;

/**
 * HMAC-SHA256 of user ids with a per-deployment key: the same user gets the same id in every service (so traces can
 * be grouped by user), but the id cannot be reversed or recomputed from an e-mail address without the key.
 */
export class UserIdHasher {
  private readonly key: Buffer;
  /**
   * The hashes of recently seen ids: a service sees the same users again and again, and an HMAC costs about 2 µs
   * where a lookup costs 20 ns. Bounded: emptied when it reaches `memoLimit` ids.
   */
  private readonly memo = new Map<string, string>();
  private readonly memoLimit: number;

  /** key: LOOKOUT_USER_ID_HASH_KEY (≥ 32 bytes, shared with the collector). Without one, a random key: hashes then differ per process. */
  constructor(key: string | undefined, memoLimit = 10_000) {
    this.key = key && Buffer.byteLength(key) >= 32 ? Buffer.from(key, "utf8") : randomBytes(32);
    this.memoLimit = memoLimit;
  }

  hash(userId: string): string {
    let hashed = this.memo.get(userId);
    if (hashed === undefined) {
      hashed = createHmac("sha256", this.key).update(userId, "utf8").digest("hex").slice(0, 32);
      if (this.memo.size >= this.memoLimit) this.memo.clear();
      this.memo.set(userId, hashed);
    }
    return hashed;
  }

  /** How many ids have their hash remembered (tests). */
  get remembered(): number {
    return this.memo.size;
  }
}

/** Records one AI call on span (default: the active span) and in metrics. */
export function recordAiCall(
  metrics: ServiceMetrics,
  hasher: UserIdHasher,
  call: AiCall,
  span: Span | undefined = trace.getActiveSpan(),
): void {
  const responseModel = call.responseModel ?? call.requestModel;
  // Not recording (tracing off, or the trace not sampled): skip the attributes, and the HMAC of the user id with them.
  if (span?.isRecording()) {
    span.setAttributes({
      [AI_ATTRIBUTES.operation]: call.operation,
      [AI_ATTRIBUTES.provider]: call.provider,
      [AI_ATTRIBUTES.requestModel]: call.requestModel,
      [AI_ATTRIBUTES.responseModel]: responseModel,
      [AI_ATTRIBUTES.inputTokens]: call.inputTokens,
      [AI_ATTRIBUTES.outputTokens]: call.outputTokens,
      [AI_ATTRIBUTES.cost]: call.costUsd,
    });
    if (call.workflowId) span.setAttribute(AI_ATTRIBUTES.workflowId, call.workflowId);
    if (call.userId) span.setAttribute(AI_ATTRIBUTES.userId, hasher.hash(call.userId));
    if (call.outcome !== "success") span.setStatus({ code: SpanStatusCode.ERROR, message: `AI call ${call.outcome}` });
  }
  const labels = [responseModel, call.provider];
  metrics.aiRequests.add([responseModel, call.provider, call.outcome]);
  if (call.outcome === "success") {
    metrics.aiCost.record(labels, call.costUsd);
    metrics.aiResponseTokens.record(labels, call.outputTokens);
  }
}
