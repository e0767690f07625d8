"""otlp_encoding.SpanEncoder writes what the SDK's encoder writes: for spans of every shape — every attribute type,
events, links, status, remote and local parents, trace state, several resources and scopes, attributes that cannot be
encoded — the bytes parse to exactly the message opentelemetry-exporter-otlp-proto-common builds."""

from __future__ import annotations

import random

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags, TraceState

from lookout_instrumentation.otlp_encoding import SpanEncoder

VALUES = [
    "",
    "redis",
    "ünïcødé ✓",
    "x" * 300,
    0,
    1,
    -1,
    127,
    128,
    2**40,
    -(2**63),
    2**63 - 1,
    True,
    False,
    0.0,
    -2.5,
    1e300,
    b"\x00\xff",
    ("a", "b"),
    (1, 2, 3),
    (True,),
    (),
    (0.5, 1.5),
]
RESOURCES = [
    Resource.create({"service.name": "neuroweaver", "service.version": "0.1.0"}),
    Resource({"service.name": "other"}, schema_url="https://opentelemetry.io/schemas/1.21.0"),
    Resource({}),
]
SCOPES = [
    InstrumentationScope("opentelemetry.instrumentation.fastapi", "0.66b1", "https://opentelemetry.io/schemas/1.11.0"),
    InstrumentationScope("opentelemetry.instrumentation.redis", None),
    InstrumentationScope("lookout", "0.1.0", None, {"scope.attr": "x", "n": 3}),
    None,
]


def _context(rng: random.Random, remote: bool = False) -> SpanContext:
    state = TraceState([("vendor", "v1"), ("other", "x")]) if rng.random() < 0.3 else TraceState()
    return SpanContext(
        rng.getrandbits(128) or 1, rng.getrandbits(64) or 1, remote, TraceFlags(rng.choice([0, 1])), state
    )


def _attributes(rng: random.Random, n: int) -> dict:
    return {f"attr.{i}.{rng.randrange(5)}": rng.choice(VALUES) for i in range(n)}


def _span(rng: random.Random) -> ReadableSpan:
    parent = None if rng.random() < 0.3 else _context(rng, remote=rng.random() < 0.5)
    start = rng.getrandbits(62)
    status = rng.choice(
        [Status(StatusCode.UNSET), Status(StatusCode.OK), Status(StatusCode.ERROR, "AI call timeout"), Status()]
    )
    events = tuple(Event(f"event {i}", _attributes(rng, rng.randrange(3)), start + i) for i in range(rng.randrange(3)))
    links = tuple(Link(_context(rng, rng.random() < 0.5), _attributes(rng, rng.randrange(3))) for _ in range(rng.randrange(3)))
    return ReadableSpan(
        name=rng.choice(["POST /v1/inference", "GET", "", "INSERT ünïcødé"]),
        context=_context(rng),
        parent=parent,
        resource=rng.choice(RESOURCES),
        attributes=_attributes(rng, rng.randrange(20)),
        events=events,
        links=links,
        kind=rng.choice(list(SpanKind)),
        instrumentation_scope=rng.choice(SCOPES),
        status=status,
        start_time=start,
        end_time=start + rng.getrandbits(30),
    )


def test_the_same_message_as_the_sdk_encoder_for_spans_of_every_shape() -> None:
    rng = random.Random(17)
    encoder = SpanEncoder()  # one encoder throughout: its memos must never change what it writes
    for _ in range(200):
        spans = [_span(rng) for _ in range(rng.randrange(1, 12))]
        expected = encode_spans(spans)
        assert ExportTraceServiceRequest.FromString(encoder.encode(spans)) == expected
        assert encoder.request(spans) == expected


def test_an_attribute_that_cannot_be_encoded_is_left_out_as_the_sdk_encoder_does() -> None:
    rng = random.Random(1)
    span = _span(rng)
    span._attributes = {"ok": "yes", "too.big": 2**64, "bad": object(), "also.ok": 3}  # type: ignore[assignment]
    assert ExportTraceServiceRequest.FromString(SpanEncoder().encode([span])) == encode_spans([span])


def test_nothing_to_send_is_an_empty_request() -> None:
    assert SpanEncoder().encode([]) == b""
