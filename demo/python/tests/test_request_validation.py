"""Request validation as Fastify answered it (Ajv's messages after its type coercion), without a server."""

from __future__ import annotations

import pytest

from lookout_demo.validation import BadRequest, check_schema, validate

SCHEMA = check_schema(
    {
        "type": "object",
        "required": ["name", "count"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 3},
            "count": {"type": "integer", "minimum": 1, "maximum": 10},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "id": {"type": "string", "format": "uuid"},
            "input": {"type": "object"},
        },
    }
)


@pytest.mark.parametrize(
    ("body", "coerced"),
    [
        ({"name": "ab", "count": "5"}, {"name": "ab", "count": 5}),
        ({"name": 12, "count": 5.0}, {"name": "12", "count": 5}),
        ({"name": 7.0, "count": True}, {"name": "7", "count": 1}),
        ({"name": ["x"], "count": [2]}, {"name": "x", "count": 2}),
        ({"name": "ab", "count": 3, "id": "0F1E2D3C-4B5A-4978-8695-a4b3c2d1e0f9"},
         {"name": "ab", "count": 3, "id": "0F1E2D3C-4B5A-4978-8695-a4b3c2d1e0f9"}),
    ],
)
def test_coerces_as_ajv_does(body: dict[str, object], coerced: dict[str, object]) -> None:
    assert validate(SCHEMA, body, "body") == coerced


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "body must be object"),
        ("text", "body must be object"),
        ({"count": 1}, "body must have required property 'name'"),
        ({"name": "a"}, "body must have required property 'count'"),
        ({"name": "", "count": 1}, "body/name must NOT have fewer than 1 characters"),
        ({"name": "abcd", "count": 1}, "body/name must NOT have more than 3 characters"),
        ({"name": None, "count": 1}, "body/name must NOT have fewer than 1 characters"),  # null → ""
        ({"name": {}, "count": 1}, "body/name must be string"),
        ({"name": "a", "count": "x"}, "body/count must be integer"),
        ({"name": "a", "count": ""}, "body/count must be integer"),
        ({"name": "a", "count": 1.5}, "body/count must be integer"),
        ({"name": "a", "count": 0}, "body/count must be >= 1"),
        ({"name": "a", "count": 11}, "body/count must be <= 10"),
        ({"name": "a", "count": 1, "kind": "c"}, "body/kind must be equal to one of the allowed values"),
        ({"name": "a", "count": 1, "id": "nope"}, 'body/id must match format "uuid"'),
        ({"name": "a", "count": 1, "input": []}, "body/input must be object"),
        ({"name": "abcd", "count": 0}, "body/name must NOT have more than 3 characters"),  # the first problem only
    ],
)
def test_answers_the_first_problem_in_ajvs_words(body: object, message: str) -> None:
    with pytest.raises(BadRequest) as raised:
        validate(SCHEMA, body, "body")
    assert (raised.value.status, raised.value.message) == (400, message)


def test_refuses_a_schema_keyword_it_does_not_implement() -> None:
    with pytest.raises(ValueError, match="pattern"):
        check_schema({"type": "object", "properties": {"a": {"type": "string", "pattern": "x"}}})
