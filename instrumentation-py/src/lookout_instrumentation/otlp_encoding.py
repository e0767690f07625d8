"""OTLP trace export requests written straight to protobuf wire format, for the span exporters of tracing.py.

The SDK's encoder (opentelemetry-exporter-otlp-proto-common) builds a protobuf object for every span, attribute and
value before serialising them; in CPython that was the largest single cost of tracing a request
(bench/instrumentation-python.ts). This writes the same bytes directly, and keeps the encoding of what repeats — the
resource, each instrumentation scope, and attribute pairs such as `db.system=postgresql` — once. The result parses
to the message the SDK's encoder makes, field for field (tests/test_otlp_encoding.py checks it on spans of every
shape), so the exporters send what they always sent, only cheaper.

Field numbers: opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto (OTLP 1.x).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan

_logger = logging.getLogger(__name__)

_SMALL = [bytes((i,)) for i in range(128)]
_FIXED64 = struct.Struct("<Q").pack
_FIXED32 = struct.Struct("<I").pack
_DOUBLE = struct.Struct("<d").pack
#: SpanFlags: the parent's is_remote is known, and whether it is remote (the SDK encoder's flags).
_HAS_IS_REMOTE = 0x100
_IS_REMOTE = 0x200
#: Attribute pairs kept encoded; past this many the memo starts again (values such as ids never repeat).
_MEMO_LIMIT = 4096


def _varint(n: int) -> bytes:
    if n < 0x80:
        return _SMALL[n] if n >= 0 else _varint(n & 0xFFFFFFFFFFFFFFFF)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: tag, length, payload."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 0x80 else _varint(n)) + payload


def _any_value(value: Any) -> bytes:
    """An AnyValue message, in the SDK encoder's order of type checks (bool before int)."""
    if value is None:
        return b""
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, str):
        return _field(b"\x0a", value.encode("utf-8"))
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"{value} does not fit in int64")
        return b"\x18" + _varint(value)
    if isinstance(value, float):
        return b"\x21" + _DOUBLE(value)
    if isinstance(value, bytes):
        return _field(b"\x3a", value)
    if isinstance(value, Sequence):
        return _field(b"\x2a", b"".join(_field(b"\x0a", _any_value(v)) for v in value))
    if isinstance(value, Mapping):
        pairs = b"".join(_field(b"\x0a", _key_value(str(k), v)) for k, v in value.items())
        return _field(b"\x32", pairs)
    raise TypeError(f"Invalid type {type(value)} of value {value}")


def _key_value(key: str, value: Any) -> bytes:
    return _field(b"\x0a", key.encode("utf-8")) + _field(b"\x12", _any_value(value))


class SpanEncoder:
    """Encodes batches of finished spans as ExportTraceServiceRequest bytes. One per exporter: its memos are used
    by the batch processor's one export thread."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[bytes, str, type, Any], bytes] = {}
        self._resources: dict[Any, bytes] = {}
        self._scopes: dict[Any, bytes] = {}

    def _attributes(self, tag: bytes, attributes: Optional[Mapping[str, Any]]) -> bytes:
        """Each attribute as a KeyValue field with this tag; one that cannot be encoded is logged and left out."""
        if not attributes:
            return b""
        pairs = self._pairs
        out = []
        for key, value in attributes.items():
            kind = type(value)
            memo = kind is str or kind is int or kind is bool
            if memo:
                encoded = pairs.get((tag, key, kind, value))
                if encoded is not None:
                    out.append(encoded)
                    continue
            try:
                encoded = _field(tag, _key_value(key, value))
            except Exception as error:  # noqa: BLE001 — as the SDK encoder: the attribute is dropped, the span kept
                _logger.exception("Failed to encode key %s: %s", key, error)
                continue
            if memo:
                if len(pairs) >= _MEMO_LIMIT:
                    pairs.clear()
                pairs[(tag, key, kind, value)] = encoded
            out.append(encoded)
        return b"".join(out)

    def _resource(self, resource: Any) -> bytes:
        encoded = self._resources.get(resource)
        if encoded is None:
            encoded = self._resources[resource] = _field(b"\x0a", self._attributes(b"\x0a", resource.attributes))
        return encoded

    def _scope(self, scope: Any) -> bytes:
        encoded = self._scopes.get(scope)
        if encoded is None:
            body = b""
            if scope is not None:
                body = (
                    (_field(b"\x0a", scope.name.encode("utf-8")) if scope.name else b"")
                    + (_field(b"\x12", scope.version.encode("utf-8")) if scope.version else b"")
                    + self._attributes(b"\x1a", scope.attributes)
                )
            encoded = self._scopes[scope] = _field(b"\x0a", body)
        return encoded

    def _span(self, span: ReadableSpan) -> bytes:
        context = span.get_span_context()
        assert context is not None
        parts = [
            b"\x0a\x10",
            context.trace_id.to_bytes(16, "big"),
            b"\x12\x08",
            context.span_id.to_bytes(8, "big"),
        ]
        if context.trace_state:
            state = ",".join(f"{k}={v}" for k, v in context.trace_state.items())
            parts.append(_field(b"\x1a", state.encode("utf-8")))
        parent = span.parent
        if parent:
            parts.append(b"\x22\x08")
            parts.append(parent.span_id.to_bytes(8, "big"))
        if span.name:
            parts.append(_field(b"\x2a", span.name.encode("utf-8")))
        parts.append(b"\x30" + _SMALL[span.kind.value + 1])
        parts.append(b"\x39" + _FIXED64(span.start_time or 0))
        parts.append(b"\x41" + _FIXED64(span.end_time or 0))
        parts.append(self._attributes(b"\x4a", span.attributes))
        if span.dropped_attributes:
            parts.append(b"\x50" + _varint(span.dropped_attributes))
        for event in span.events:
            body = (
                b"\x09"
                + _FIXED64(event.timestamp or 0)
                + (_field(b"\x12", event.name.encode("utf-8")) if event.name else b"")
                + self._attributes(b"\x1a", event.attributes)
                + (b"\x20" + _varint(event.dropped_attributes) if event.dropped_attributes else b"")
            )
            parts.append(_field(b"\x5a", body))
        if span.dropped_events:
            parts.append(b"\x60" + _varint(span.dropped_events))
        for link in span.links:
            body = (
                b"\x0a\x10"
                + link.context.trace_id.to_bytes(16, "big")
                + b"\x12\x08"
                + link.context.span_id.to_bytes(8, "big")
                + self._attributes(b"\x22", link.attributes)
                + (b"\x28" + _varint(link.dropped_attributes) if link.dropped_attributes else b"")
                + b"\x35"
                + _FIXED32(_HAS_IS_REMOTE | (_IS_REMOTE if link.context.is_remote else 0))
            )
            parts.append(_field(b"\x6a", body))
        if span.dropped_links:
            parts.append(b"\x70" + _varint(span.dropped_links))
        status = span.status
        if status is not None:
            body = (_field(b"\x12", status.description.encode("utf-8")) if status.description else b"") + (
                b"\x18" + _SMALL[status.status_code.value] if status.status_code.value else b""
            )
            parts.append(_field(b"\x7a", body))
        parts.append(b"\x85\x01" + _FIXED32(_HAS_IS_REMOTE | (_IS_REMOTE if parent and parent.is_remote else 0)))
        return _field(b"\x12", b"".join(parts))

    def encode(self, spans: Sequence[ReadableSpan]) -> bytes:
        """The ExportTraceServiceRequest of these spans, grouped by resource and then scope, in order of appearance."""
        grouped: dict[Any, dict[Any, list[bytes]]] = {}
        for span in spans:
            scopes = grouped.setdefault(span.resource, {})
            scopes.setdefault(span.instrumentation_scope or None, []).append(self._span(span))
        out = []
        for resource, scopes in grouped.items():
            scope_spans = []
            for scope, encoded in scopes.items():
                schema = scope.schema_url if scope is not None else None
                body = self._scope(scope) + b"".join(encoded)
                if schema:
                    body += _field(b"\x1a", schema.encode("utf-8"))
                scope_spans.append(_field(b"\x12", body))
            body = self._resource(resource) + b"".join(scope_spans)
            if resource.schema_url:
                body += _field(b"\x1a", resource.schema_url.encode("utf-8"))
            out.append(_field(b"\x0a", body))
        return b"".join(out)

    def request(self, spans: Sequence[ReadableSpan]) -> ExportTraceServiceRequest:
        """The same as a message, for the gRPC exporter (parsing is done in the protobuf runtime's C code)."""
        return ExportTraceServiceRequest.FromString(self.encode(spans))
