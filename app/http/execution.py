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

Fields whose value is at hand take a shorter road. A page of 20 products
resolves some 200 fields, and most of them only read an attribute of their
parent: Strawberry's plain attributes (``name``, ``sku``, an edge's ``node``)
and the fields a product read for a page already answers (``app/schema/ready.py``:
its thumbnail, category and prices). For each, graphql-core builds a
``GraphQLResolveInfo``, calls Strawberry's wrapper around ``getattr``, asks
whether the value is awaitable and walks ``complete_value``'s type tests;
profiled, that walk was most of a page's CPU. ``ShortRoadExecutor`` reads such
a field directly and then coerces the scalar or enum, or executes the object's
own selection. It takes the short road only with a value the long road would
complete the same way: anything else (a read that raises, an exception as the
value, a null in a non-null field, a value its scalar refuses, an answer not
ready) goes the long road before anything has run, which reports it exactly as
before. An error below an object on the short road is reported as
``execute_field`` reports it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple, TypeGuard, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.execute import UNEXPECTED_EXPERIMENTAL_DIRECTIVES
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.execution import optimized_is_awaitable

from app.http.abandoned import may_return_awaitable
from app.schema.ready import NOT_READY, ready_answer


def check_schema(schema: GraphQLSchema) -> None:
    """Refuse a schema with @defer or @stream: ``execute_plain`` would ignore them."""
    if schema.get_directive("defer") or schema.get_directive("stream"):
        raise ValueError(UNEXPECTED_EXPERIMENTAL_DIRECTIVES)


_LONG_ROAD: Any = object()
# Strawberry's: a set lookup for the plain types of most values before graphql-core's checks.
_is_awaitable = cast(Callable[[Any], TypeGuard[Awaitable[Any]]], optimized_is_awaitable)
_STRAWBERRY_FIELD = "strawberry-definition"


class ShortRoad(NamedTuple):
    """How to read a field at hand, and what its value completes as."""

    field: GraphQLField
    read: Callable[[Any], Any] | None  # the parent -> the value; None: ``answer`` with the arguments
    answer: Callable[[Any, dict[str, Any], Any], Any] | None
    leaf: GraphQLLeafType | None  # the scalar or enum it coerces to, else:
    object_type: GraphQLObjectType | None  # the object whose selection it executes
    non_null: bool


def _reader(field: GraphQLField) -> Callable[[Any], Any] | None:
    """A plain attribute field's read: ``getattr`` itself where Strawberry would only call ``getattr``."""
    if field.resolve is None or may_return_awaitable(field.resolve) or field.args:
        return None
    definition = field.extensions.get(_STRAWBERRY_FIELD)
    if getattr(definition, "default_resolver", None) is getattr and getattr(definition, "python_name", None):
        return attrgetter(definition.python_name)  # type: ignore[union-attr]
    resolve = field.resolve
    return lambda source: resolve(source, None)


def _short_road(field: GraphQLField) -> ShortRoad | None:
    non_null = isinstance(field.type, GraphQLNonNull)
    of_type = get_nullable_type(field.type)
    read = _reader(field)
    answer = ready_answer(field)
    if read is None and answer is None:
        return None
    if is_leaf_type(of_type):
        return ShortRoad(field, read, answer, of_type, None, non_null)
    if isinstance(of_type, GraphQLObjectType) and of_type.is_type_of is None:
        return ShortRoad(field, read, answer, None, of_type, non_null)
    return None  # lists and abstract types: the long road


@cache
def short_roads(schema: GraphQLSchema) -> dict[tuple[str, str], ShortRoad]:
    """Every field of ``schema`` that may take the short road, by (type name, field name)."""
    found: dict[tuple[str, str], ShortRoad] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            if (road := _short_road(field)) is not None:
                found[(named.name, name)] = road
    return found


class ShortRoadExecutor(Executor):
    """graphql-core's ``Executor`` with a short road for fields at hand (see the module docstring)."""

    roads: dict[tuple[str, str], ShortRoad] = {}
    # id of a field node of the document -> its coerced arguments (the document outlives the execution).
    arguments_of: dict[int, dict[str, Any]]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # graphql-core's loop, with the short road tried first.
        roads, parent = self.roads, parent_type.name
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, details in grouped_field_set.items():
                road = roads.get((parent, details[0].node.name.value))
                result = (
                    _LONG_ROAD
                    if road is None
                    else self._take(road, source_value, details, path, response_name, parent, position_context)
                )
                if result is _LONG_ROAD:
                    field_path = Path(path, response_name, parent)
                    result = self.execute_field(parent_type, source_value, details, field_path, position_context)
                    if result is Undefined:
                        continue
                results[response_name] = result
                if _is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:  # as graphql-core: one field needs no gathering
                results[awaitable_fields[0]] = await results[awaitable_fields[0]]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _value(self, road: ShortRoad, source: Any, details: FieldDetailsList) -> Any:
        """The field's value, or ``_LONG_ROAD``; nothing has run that the long road would run again."""
        try:
            if road.read is not None:
                return road.read(source)
            answer = road.answer(source, self._arguments(road.field, details), self.context_value)  # type: ignore[misc]
        except Exception:
            return _LONG_ROAD
        return _LONG_ROAD if answer is NOT_READY else answer

    def _arguments(self, field: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        """The field's arguments, coerced once per field of the document: the 20 products of a page
        name the same ``price(customerNumber:)``, and coercing it cost more than answering it."""
        node, fragment_variables = details[0].node, details[0].fragment_variable_values
        if not (field.args or node.arguments):
            return {}
        if fragment_variables is not None:
            return get_argument_values(field, node, self.variable_values, fragment_variables, self.hide_suggestions)
        arguments = self.arguments_of.get(id(node))
        if arguments is None:
            arguments = self.arguments_of[id(node)] = get_argument_values(
                field, node, self.variable_values, None, self.hide_suggestions
            )
        return arguments

    def _take(
        self,
        road: ShortRoad,
        source: Any,
        details: FieldDetailsList,
        path: Path | None,
        response_name: str,
        parent: str,
        position_context: Any,
    ) -> Any:
        value = self._value(road, source, details)
        if value is _LONG_ROAD or isinstance(value, Exception) or _is_awaitable(value):
            return _LONG_ROAD
        if value is None:
            return _LONG_ROAD if road.non_null else None
        if road.leaf is not None:
            try:
                coerced = road.leaf.coerce_output_value(value)
            except Exception:
                return _LONG_ROAD
            return _LONG_ROAD if coerced is None or coerced is Undefined else coerced
        assert road.object_type is not None
        return self._object(road, value, details, Path(path, response_name, parent), position_context)

    def _object(
        self, road: ShortRoad, value: Any, details: FieldDetailsList, path: Path, position_context: Any
    ) -> AwaitableOrValue[Any]:
        """The object's selection executed, its errors handled as ``execute_field`` handles them."""
        assert road.object_type is not None
        try:
            completed = self.collect_and_execute_subfields(road.object_type, details, path, value, position_context)
        except Exception as error:
            self.handle_field_error(error, road.field.type, details, path)
            return None
        if not _is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as error:
                self.handle_field_error(error, road.field.type, details, path)
                return None

        return await_completed()


def execute_plain(
    schema: GraphQLSchema,
    document: DocumentNode,
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> AwaitableOrValue[ExecutionResult]:
    """What ``graphql.execute`` answers (resolvers are shielded at build: ``app/http/abandoned.py``)."""
    executor = ShortRoadExecutor.build(
        schema, document, None, context, variables, operation_name, is_awaitable=_is_awaitable
    )
    if isinstance(executor, list):  # the variables did not coerce
        return ExecutionResult(None, errors=executor)
    assert isinstance(executor, ShortRoadExecutor)
    executor.roads, executor.arguments_of = short_roads(schema), {}
    return executor.execute_operation()  # type: ignore[return-value]
