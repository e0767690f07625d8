"""AutoMatrix's workflow templates.

A workflow is created from a template (its steps) and named by its owner; the ``workflow`` label of
workflow_executions_total and workflow_ai_cost_dollars_total is the template, a bounded set, never the user's name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from .models import Task

Priority = Literal["cost", "latency", "quality"]


@dataclass(frozen=True)
class TransformStep:
    name: str
    kind: Literal["transform"] = "transform"

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name}


@dataclass(frozen=True)
class AiStep:
    """A step that asks RelayCore for a completion of ``instruction`` over the workflow's input."""

    name: str
    task: Task
    instruction: str
    priority: Priority | None = None
    kind: Literal["ai"] = "ai"

    def as_json(self) -> dict[str, object]:
        # The key order of the Node service's answer; no priority key when the step has none.
        fields = {"kind": self.kind, **{k: v for k, v in asdict(self).items() if k != "kind"}}
        return {k: v for k, v in fields.items() if v is not None}


Step = TransformStep | AiStep

TEMPLATES: dict[str, tuple[Step, ...]] = {
    "invoice-processing": (
        AiStep("extract-fields", "extract", "Extract vendor, amount and due date."),
        TransformStep("validate-totals"),
        AiStep("summarize", "summarize", "Summarize the invoice for approval."),
    ),
    "support-triage": (
        AiStep("classify", "classify", "Classify the ticket's urgency.", priority="latency"),
        TransformStep("route-to-queue"),
    ),
    "lead-enrichment": (
        TransformStep("normalize"),
        AiStep("enrich", "chat", "Describe the company in two sentences."),
    ),
    "report-digest": (AiStep("digest", "summarize", "Write a weekly digest.", priority="quality"),),
}

TEMPLATE_NAMES: tuple[str, ...] = tuple(TEMPLATES)
