"""Request bodies and parameters checked as the Node services checked them (Fastify: its JSON parser, then Ajv).

The same schemas, written as JSON Schema, give the same answers: 400 with Ajv's message for the first problem found
(``body must have required property 'email'``, ``params/id must match format "uuid"``…), after Fastify's default
type coercion (``"5"`` for an integer is 5; null for a string is ""). Only the keywords the demo's schemas use are
supported; any other keyword in a schema is a programming error and raises at import.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

Schema = Mapping[str, Any]

_KEYWORDS = {"type", "properties", "required", "enum", "format", "minLength", "maxLength", "minimum", "maximum"}
_UUID = re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)
_BODYLESS = {"GET", "HEAD", "TRACE"}

#: Fastify's bodyLimit default.
DEFAULT_BODY_LIMIT = 1024 * 1024


class BadRequest(Exception):
    """A request the service refuses as malformed: answered with status and ``{"error": "bad_request", …}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_schema(schema: Schema) -> Schema:
    """Returns schema after checking it uses only supported keywords (so a typo cannot silently validate nothing)."""
    unknown = set(schema) - _KEYWORDS
    if unknown:
        raise ValueError(f"unsupported schema keywords {sorted(unknown)}")
    for sub in schema.get("properties", {}).values():
        check_schema(sub)
    return schema


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _js_number(text: str) -> float | None:
    """Number(text) for the strings Ajv coerces (non-empty, not NaN); None when it is not a number."""
    stripped = text.strip()
    if stripped == "" or "_" in stripped or stripped.lower() in ("nan", "inf", "+inf", "-inf"):
        return None
    try:
        return float(int(stripped, 16)) if stripped.lower().startswith("0x") else float(stripped)
    except ValueError:
        return None


def _coerce(kind: str, value: Any) -> tuple[bool, Any]:
    """Ajv's coerceTypes "array" for the scalar types: (True, the value of that type) or (False, None)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if kind == "string":
        if isinstance(value, str):
            return True, value
        if value is None:
            return True, ""
        if isinstance(value, (bool, int, float)):
            return True, _js_string(value)
        return False, None
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            number: float | None = float(value)
        elif isinstance(value, (int, float)):
            number = float(value)
        elif value is None:
            number = 0.0
        elif isinstance(value, str):
            number = _js_number(value) if value else None
        else:
            number = None
        if number is None or math.isnan(number) or (kind == "integer" and not number.is_integer()):
            return False, None
        return True, int(number) if number.is_integer() and abs(number) < 2**53 else number
    raise ValueError(f"unsupported type {kind}")


def _check(schema: Schema, value: Any, path: str) -> Any:
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            raise BadRequest(f"{path} must be object")
    elif kind is not None:
        ok, value = _coerce(kind, value)
        if not ok:
            raise BadRequest(f"{path} must be {kind}")
    if "enum" in schema and not any(type(value) is type(o) and value == o for o in schema["enum"]):
        raise BadRequest(f"{path} must be equal to one of the allowed values")
    if kind in ("integer", "number"):
        if "maximum" in schema and value > schema["maximum"]:
            raise BadRequest(f"{path} must be <= {schema['maximum']}")
        if "minimum" in schema and value < schema["minimum"]:
            raise BadRequest(f"{path} must be >= {schema['minimum']}")
    if kind == "string":
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise BadRequest(f"{path} must NOT have more than {schema['maxLength']} characters")
        if "minLength" in schema and len(value) < schema["minLength"]:
            raise BadRequest(f"{path} must NOT have fewer than {schema['minLength']} characters")
        if schema.get("format") == "uuid" and not _UUID.match(value):
            raise BadRequest(f'{path} must match format "uuid"')
    if kind == "object":
        for name in schema.get("required", ()):
            if name not in value:
                raise BadRequest(f"{path} must have required property '{name}'")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                value[name] = _check(sub, value[name], f"{path}/{name}")
    return value


def validate(schema: Schema, value: Any, part: str) -> Any:
    """value (coerced) when it matches schema; BadRequest naming part ("body", "params") and the path otherwise."""
    return _check(schema, value, part)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


async def read_body(request: Request, limit: int = DEFAULT_BODY_LIMIT) -> Any:
    """The request's body as Fastify's default parsers give it: JSON, text, or None when there is none."""
    if request.method in _BODYLESS:
        return None
    content_type = request.headers.get("content-type")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest("Request body is too large", 413)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise BadRequest("Request body is too large", 413)
    if content_type is None:
        if not raw and "transfer-encoding" not in request.headers:
            return None
        raise BadRequest("Unsupported Media Type", 415)
    essence = content_type.split(";", 1)[0].strip().lower()
    if essence == "application/json":
        if not raw:
            raise BadRequest("Body cannot be empty when content-type is set to 'application/json'")
        try:
            return json.loads(raw, parse_constant=_reject_constant)
        except ValueError as error:
            raise BadRequest("Body is not valid JSON but content-type is set to 'application/json'") from error
    if essence == "text/plain":
        return raw.decode("utf-8", errors="replace")
    raise BadRequest("Unsupported Media Type", 415)
