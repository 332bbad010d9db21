"""Executing a prepared document: graphql-core's plain ``Executor``, without the incremental wrapper.

``graphql.execute`` goes through ``experimental_execute_incrementally``: it
looks up @defer and @stream in the schema on every call, builds an
``IncrementalExecutor`` (an execution plan, a publisher) and, for an async
result, wraps it in one more coroutine only to check it is not incremental.
Our schema has neither directive, so no operation can defer or stream and the
plain ``Executor`` (the base class, which "executes the collected root fields,
ignoring incremental delivery") gives the same results: 17 µs against 26 for
``{ __typename }`` (with the per-field middleware we had then). ``check_schema`` does once what
``execute`` checks on every call.

Plain leaf fields take a shorter road. A page of 20 products resolves some 200
fields, and most are Strawberry's plain attributes holding a string, a number
or an enum (``name``, ``sku``, ``amount``). For each of them graphql-core builds
a ``Path``, a ``GraphQLResolveInfo``, asks twice whether the value is
awaitable and walks ``complete_value``'s type tests before it coerces the value;
profiled, that walk was most of a page's CPU. ``PlainLeafExecutor`` reads such a
field and coerces it in one step. It takes the short road only for a value the
long road would pass through unchanged: anything else (an exception, a null in a
non-null field, a value its scalar refuses) goes the long road, which reports
it exactly as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, NamedTuple, TypeGuard, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.execution.execute import UNEXPECTED_EXPERIMENTAL_DIRECTIVES
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.execution import optimized_is_awaitable

from app.http.abandoned import may_return_awaitable


def check_schema(schema: GraphQLSchema) -> None:
    """Refuse a schema with @defer or @stream: ``execute_plain`` would ignore them."""
    if schema.get_directive("defer") or schema.get_directive("stream"):
        raise ValueError(UNEXPECTED_EXPERIMENTAL_DIRECTIVES)


class PlainLeaf(NamedTuple):
    """A field that reads an attribute of its parent and holds a scalar or an enum."""

    read: Callable[..., Any]
    leaf: GraphQLLeafType
    non_null: bool


_LONG_ROAD = object()
# Strawberry's: a set lookup for the plain types of most values before graphql-core's checks.
_is_awaitable = cast(Callable[[Any], TypeGuard[Awaitable[Any]]], optimized_is_awaitable)


def _plain_leaf(resolve: Callable[..., Any], leaf: GraphQLLeafType, non_null: bool, source: Any) -> Any:
    """The field's completed value, or ``_LONG_ROAD`` when graphql-core must see it (errors above all)."""
    try:
        value = resolve(source, None)
    except Exception:
        return _LONG_ROAD
    if value is None:
        return _LONG_ROAD if non_null else None
    if isinstance(value, Exception):
        return _LONG_ROAD
    try:
        coerced = leaf.coerce_output_value(value)
    except Exception:
        return _LONG_ROAD
    return _LONG_ROAD if coerced is None or coerced is Undefined else coerced


@cache
def plain_leaves(schema: GraphQLSchema) -> dict[tuple[str, str], PlainLeaf]:
    """Every plain attribute field of ``schema`` with a scalar or enum type, by (type name, field name)."""
    found: dict[tuple[str, str], PlainLeaf] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            non_null = isinstance(field.type, GraphQLNonNull)
            leaf = field.type.of_type if non_null else field.type
            if field.resolve is None or may_return_awaitable(field.resolve) or field.args or not is_leaf_type(leaf):
                continue
            found[(named.name, name)] = PlainLeaf(field.resolve, leaf, non_null)
    return found


class PlainLeafExecutor(Executor):
    """graphql-core's ``Executor`` with a short road for plain leaf fields (see the module docstring)."""

    plain: dict[tuple[str, str], PlainLeaf] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plain = self.plain
        parent = parent_type.name
        short: dict[str, Any] = {}
        long_road: GroupedFieldSet = {}
        for response_name, details in grouped_field_set.items():
            found = plain.get((parent, details[0].node.name.value))
            value = _LONG_ROAD if found is None else _plain_leaf(*found, source_value)
            if value is _LONG_ROAD:
                long_road[response_name] = details
            else:
                short[response_name] = value
        if not long_road:
            return short
        if not short:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        return self._merge(
            grouped_field_set,
            short,
            super().execute_fields(parent_type, source_value, path, long_road, position_context),
        )

    def _merge(
        self, ordered: GroupedFieldSet, short: dict[str, Any], rest: AwaitableOrValue[dict[str, Any]]
    ) -> AwaitableOrValue[dict[str, Any]]:
        """Both roads' results in the selection's order, as the answer must list them."""
        if self.is_awaitable(rest):

            async def merged() -> dict[str, Any]:
                done = await rest
                return {
                    name: short[name] if name in short else done[name]
                    for name in ordered
                    if name in short or name in done
                }

            return merged()
        assert isinstance(rest, dict)
        return {name: short[name] if name in short else rest[name] for name in ordered if name in short or name in rest}


def execute_plain(
    schema: GraphQLSchema,
    document: DocumentNode,
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> AwaitableOrValue[ExecutionResult]:
    """What ``graphql.execute`` answers (resolvers are shielded at build: ``app/http/abandoned.py``)."""
    executor = PlainLeafExecutor.build(
        schema, document, None, context, variables, operation_name, is_awaitable=_is_awaitable
    )
    if isinstance(executor, list):  # the variables did not coerce
        return ExecutionResult(None, errors=executor)
    assert isinstance(executor, PlainLeafExecutor)
    executor.plain = plain_leaves(schema)
    return executor.execute_operation()  # type: ignore[return-value]
