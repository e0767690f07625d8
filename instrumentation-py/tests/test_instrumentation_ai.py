"""record_ai_call: the span attributes of the contract with their types, the keyed user hash, the metrics."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from lookout_instrumentation import AiCall, ServiceMetrics, UserIdHasher, contract, record_ai_call

from lookout_testing import KEY

CALL = dict(operation="chat", provider="neuroweaver", request_model="nw-llama-3-8b", input_tokens=120, output_tokens=48)


def traced(call: AiCall):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    metrics = ServiceMetrics(runtime_metrics=False)
    with provider.get_tracer("test").start_as_current_span("chat nw-llama-3-8b"):
        record_ai_call(metrics, UserIdHasher(KEY), call)
    return exporter.get_finished_spans()[0], metrics.exposition()[1].decode()


def test_the_span_carries_the_contract_attributes_with_their_types() -> None:
    span, exposition = traced(
        AiCall(**CALL, cost_usd=0.0123, outcome="success", workflow_id="wf-1", user_id="alice@example.com")
    )
    attributes = dict(span.attributes or {})
    python_type = {"string": str, "int": int, "double": float}
    for spec in contract["aiSpan"]["attributes"].values():
        assert isinstance(attributes[spec["name"]], python_type[spec["type"]]), spec["name"]
    assert attributes["gen_ai.response.model"] == "nw-llama-3-8b"
    assert "alice" not in str(attributes)
    assert 'ai_requests_total{model="nw-llama-3-8b",outcome="success",provider="neuroweaver"} 1.0' in exposition
    assert 'ai_request_cost_dollars_sum{model="nw-llama-3-8b",provider="neuroweaver"} 0.0123' in exposition


def test_a_failed_call_is_an_error_span_and_costs_nothing() -> None:
    span, exposition = traced(AiCall(**CALL, cost_usd=0.5, outcome="timeout"))
    assert span.status.status_code == StatusCode.ERROR
    assert 'outcome="timeout"' in exposition
    assert "ai_request_cost_dollars_sum{" not in exposition


def test_user_ids_hash_like_the_node_library() -> None:
    # node -e "crypto.createHmac('sha256','k'.repeat(32)).update('alice@example.com').digest('hex').slice(0,32)"
    assert UserIdHasher(KEY).hash("alice@example.com") == "0d8b3da1ccc85d32dd2c1a1863a4bd48"
    assert UserIdHasher("too short").random_key
