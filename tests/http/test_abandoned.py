"""Which resolvers get the abandoned-field shield (its behaviour: tests/http/test_request_cleanup.py)."""

from __future__ import annotations

from graphql import GraphQLObjectType

from app.http.abandoned import finish_abandoned_resolvers, may_return_awaitable
from app.schema.schema import schema


def _field(type_name: str, field_name: str):  # type: ignore[no-untyped-def]
    named = schema._schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return named.fields[field_name]


def test_resolvers_are_shielded_and_plain_attributes_are_not() -> None:
    finish_abandoned_resolvers(schema._schema)

    # Resolvers that read the database hand back awaitables: shielded.
    assert getattr(_field("Query", "products").resolve, "finishes_abandoned", False)
    assert getattr(_field("Query", "me").resolve, "finishes_abandoned", False)
    # A plain attribute never awaits: no wrapper to call for each of a page's 200 fields.
    name = _field("Product", "name").resolve
    assert not may_return_awaitable(name)
    assert not getattr(name, "finishes_abandoned", False)


def test_shielding_twice_wraps_once() -> None:
    finish_abandoned_resolvers(schema._schema)
    first = _field("Query", "products").resolve
    finish_abandoned_resolvers(schema._schema)
    assert _field("Query", "products").resolve is first
