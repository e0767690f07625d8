/**
 * RelayCore's routing rules, as a pure function: which model serves a request, and why. First rule that applies wins:
 *
 * 1. budget — more than 80% of the daily or monthly budget is spent: the cheapest capable model.
 * 2. capability — the task needs a capability only some models have (`extract`): the cheapest of those.
 * 3. latency — the caller asked for speed: the fastest capable model.
 * 4. quality — the caller asked for quality: the largest capable model.
 * 5. cost — otherwise: the cheapest capable model.
 *
 * Only the primary provider's models are routed to; the secondary provider is the fallback when the primary fails.
 */
import { MODELS, type ModelProfile, type Task } from "../shared/models.js";

export type Priority = "cost" | "latency" | "quality";
export type SelectionReason = "budget" | "capability" | "latency" | "quality" | "cost" | "fallback";

export interface Selection {
  model: ModelProfile;
  reason: SelectionReason;
}

const price = (m: ModelProfile) => m.inputPricePer1k + m.outputPricePer1k;
const speed = (m: ModelProfile) => m.firstTokenMs + m.perTokenMs * m.outputTokensMedian;

function cheapest(models: ModelProfile[]): ModelProfile {
  return models.reduce((a, b) => (price(b) < price(a) ? b : a));
}

export function selectModel(task: Task, priority: Priority | undefined, budgetUsedRatio: number): Selection {
  const primary = MODELS.filter((m) => m.provider === "neuroweaver");
  const capable = primary.filter((m) => m.capabilities.includes(task));
  if (budgetUsedRatio > 0.8) return { model: cheapest(capable), reason: "budget" };
  if (capable.length < primary.length) return { model: cheapest(capable), reason: "capability" };
  if (priority === "latency")
    return { model: capable.reduce((a, b) => (speed(b) < speed(a) ? b : a)), reason: "latency" };
  if (priority === "quality")
    return { model: capable.reduce((a, b) => (price(b) > price(a) ? b : a)), reason: "quality" };
  return { model: cheapest(capable), reason: "cost" };
}

/** The secondary provider's model, used when the primary fails. */
export function fallbackModel(): ModelProfile {
  const external = MODELS.find((m) => m.provider === "external");
  if (!external) throw new Error("no external model in the catalogue");
  return external;
}
