"""The instrumentation contract, instrumentation/contract.json, loaded rather than restated: metric names, types,
help, labels and buckets, the HealthCheckResponse schema, the AI span attributes, the header allowlist and the log
fields. The Node library loads the same file, and test/conformance checks both against it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

CONTRACT: dict[str, Any] = json.loads(
    resources.files("lookout_instrumentation").joinpath("contract.json").read_text(encoding="utf-8")
)


def metric_spec(name: str) -> dict[str, Any]:
    """The contract's definition of one metric; a name it does not define is a programming error."""
    for spec in CONTRACT["metrics"]:
        if spec["name"] == name:
            return dict(spec)
    raise KeyError(f"instrumentation/contract.json defines no metric {name}")


def ai_attribute(key: str) -> str:
    """The span attribute name of one AI call field (`cost` → `gen_ai.usage.cost`)."""
    return str(CONTRACT["aiSpan"]["attributes"][key]["name"])
