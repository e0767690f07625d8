"""One call per AI model call: the span attributes (GenAI conventions, the cost, the workflow, a keyed hash of the
user) and the Prometheus metrics from the same values, so traces, span metrics and scraped metrics never disagree —
the twin of instrumentation/src/ai.ts, with the attribute names of the contract."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Literal, Optional

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from .contract import CONTRACT, ai_attribute
from .metrics import ServiceMetrics

AiOutcome = Literal["success", "error", "timeout", "rejected"]
_HASH = CONTRACT["aiSpan"]["userIdHash"]


@dataclass
class AiCall:
    #: gen_ai.operation.name: `chat`, `text_completion`, `embeddings`.
    operation: str
    #: gen_ai.provider.name, e.g. `neuroweaver`, `openai`.
    provider: str
    request_model: str
    input_tokens: int
    output_tokens: int
    #: US dollars.
    cost_usd: float
    outcome: AiOutcome
    #: The model that answered, when the provider reports one; defaults to request_model.
    response_model: Optional[str] = None
    workflow_id: Optional[str] = None
    #: The raw user id: only its keyed hash leaves record_ai_call.
    user_id: Optional[str] = None


class UserIdHasher:
    """HMAC-SHA256 of user ids with a per-deployment key (LOOKOUT_USER_ID_HASH_KEY, shared with the collector): the
    same user gets the same id in every service and language, and it cannot be recomputed without the key."""

    def __init__(self, key: Optional[str]) -> None:
        raw = (key or "").encode("utf-8")
        self.random_key = len(raw) < _HASH["minKeyBytes"]
        self._key = os.urandom(32) if self.random_key else raw

    def hash(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[: _HASH["hexChars"]]


def record_ai_call(metrics: ServiceMetrics, hasher: UserIdHasher, call: AiCall, span: Optional[Span] = None) -> None:
    span = span or trace.get_current_span()
    response_model = call.response_model or call.request_model
    # Not recording (tracing off, or not sampled): skip the attributes, and the HMAC of the user id with them.
    if span.is_recording():
        span.set_attributes(
            {
                ai_attribute("operation"): call.operation,
                ai_attribute("provider"): call.provider,
                ai_attribute("requestModel"): call.request_model,
                ai_attribute("responseModel"): response_model,
                ai_attribute("inputTokens"): int(call.input_tokens),
                ai_attribute("outputTokens"): int(call.output_tokens),
                ai_attribute("cost"): float(call.cost_usd),
            }
        )
        if call.workflow_id:
            span.set_attribute(ai_attribute("workflowId"), call.workflow_id)
        if call.user_id:
            span.set_attribute(ai_attribute("userId"), hasher.hash(call.user_id))
        if call.outcome != CONTRACT["aiSpan"]["errorStatusUnless"]:
            span.set_status(Status(StatusCode.ERROR, f"AI call {call.outcome}"))
    metrics.ai_requests.labels(model=response_model, provider=call.provider, outcome=call.outcome).inc()
    if call.outcome == "success":
        metrics.ai_cost.labels(model=response_model, provider=call.provider).observe(call.cost_usd)
        metrics.ai_response_tokens.labels(model=response_model, provider=call.provider).observe(call.output_tokens)
