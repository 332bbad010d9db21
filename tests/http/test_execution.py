"""The short road for fields at hand answers exactly what graphql-core's own execution answers."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from graphql import ExecutionResult, execute, parse

from app.http.execution import execute_plain, short_roads
from app.schema.schema import schema as app_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Inner:
    value: str


@strawberry.type
class Thing:
    name: str
    inner: Inner | None
    required_inner: Inner
    count: int
    colour: Colour
    note: str | None
    # Plain attributes holding what their scalar refuses or a null where none may be.
    too_big: int
    missing: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [
            Thing(
                name="a",
                inner=Inner(value="v"),
                required_inner=Inner(value="w"),
                count=1,
                colour=Colour.RED,
                note=None,
                too_big=1,
                missing="x",
            ),
            Thing(
                name="b",
                inner=Inner(value=None),
                required_inner=Inner(value=None),
                count=2,  # type: ignore[arg-type]
                colour=Colour.RED,
                note="n",
                too_big=2**40,
                missing=None,  # type: ignore[arg-type]
            ),
        ]


SCHEMA = strawberry.Schema(query=Query)._schema


def both(document: str) -> tuple[ExecutionResult, ExecutionResult]:
    parsed = parse(document)

    async def run(result: Any) -> ExecutionResult:
        return await result if asyncio.iscoroutine(result) else result

    async def go() -> tuple[ExecutionResult, ExecutionResult]:
        ours = await run(execute_plain(SCHEMA, parsed, None, None, None))
        theirs = await run(execute(SCHEMA, parsed))
        return ours, theirs

    return asyncio.run(go())


def errors(result: ExecutionResult) -> list[tuple[str, list[str | int] | None]]:
    return sorted((error.message, error.path) for error in result.errors or [])  # type: ignore[misc]


def test_plain_leaves_answer_in_the_selections_order() -> None:
    ours, theirs = both("{ things { shout name n2: name count later colour note __typename } }")
    assert ours.data == theirs.data
    assert not ours.errors and not theirs.errors
    assert list(ours.data["things"][0]) == ["shout", "name", "n2", "count", "later", "colour", "note", "__typename"]  # type: ignore[index]
    assert ours.data["things"][1]["colour"] == "RED" and ours.data["things"][0]["note"] is None  # type: ignore[index]


def test_a_value_its_scalar_refuses_is_the_same_error() -> None:
    ours, theirs = both("{ things { name tooBig } }")
    assert ours.data == theirs.data
    assert errors(ours) == errors(theirs) and errors(ours)
    assert errors(ours)[0][1] == ["things", 1, "tooBig"]


def test_a_null_in_a_non_null_field_is_the_same_error_and_nulls_its_parent() -> None:
    ours, theirs = both("{ things { name missing } }")
    assert ours.data == theirs.data
    assert errors(ours) == errors(theirs)
    assert errors(ours)[0][1] == ["things", 1, "missing"]


def test_plain_attributes_and_ready_fields_take_the_short_road_lists_and_loads_do_not() -> None:
    roads = short_roads(app_schema._schema)
    assert ("Product", "sku") in roads and ("Money", "amount") in roads and ("ProductEdge", "node") in roads
    assert ("Product", "price") in roads and ("Product", "thumbnailUrl") in roads  # ready_when
    assert ("Product", "images") not in roads  # a list, loaded
    assert ("ProductConnection", "edges") not in roads  # a list
    assert ("Query", "products") not in roads  # a resolver
    assert not any(type_name.startswith("__") for type_name, _ in roads)


def test_an_error_below_an_object_on_the_short_road_is_reported_as_graphql_core_reports_it() -> None:
    for document in ("{ things { name inner { value } } }", "{ things { name requiredInner { value } } }"):
        ours, theirs = both(document)
        assert ours.data == theirs.data
        assert errors(ours) == errors(theirs) and errors(ours)
    ours, _ = both("{ things { name inner { value } } }")
    assert ours.data == {"things": [{"name": "a", "inner": {"value": "v"}}, {"name": "b", "inner": None}]}
