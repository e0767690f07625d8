/**
 * AutoMatrix's workflow templates. A workflow is created from a template (its steps) and named by its owner; the
 * `workflow` label of workflow_executions_total is the template, a bounded set, never the user-chosen name.
 */
import type { Task } from "../shared/models.js";

export type Step =
  | { kind: "transform"; name: string }
  | { kind: "ai"; name: string; task: Task; instruction: string; priority?: "cost" | "latency" | "quality" };

export const TEMPLATES: Readonly<Record<string, readonly Step[]>> = {
  "invoice-processing": [
    { kind: "ai", name: "extract-fields", task: "extract", instruction: "Extract vendor, amount and due date." },
    { kind: "transform", name: "validate-totals" },
    { kind: "ai", name: "summarize", task: "summarize", instruction: "Summarize the invoice for approval." },
  ],
  "support-triage": [
    {
      kind: "ai",
      name: "classify",
      task: "classify",
      instruction: "Classify the ticket's urgency.",
      priority: "latency",
    },
    { kind: "transform", name: "route-to-queue" },
  ],
  "lead-enrichment": [
    { kind: "transform", name: "normalize" },
    { kind: "ai", name: "enrich", task: "chat", instruction: "Describe the company in two sentences." },
  ],
  "report-digest": [
    { kind: "ai", name: "digest", task: "summarize", instruction: "Write a weekly digest.", priority: "quality" },
  ],
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES);
