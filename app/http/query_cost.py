"""The static cost of an operation, counted before anything executes.

Counted the way Shopify's GraphQL Admin API does, with one difference: every
field costs one point, leaves too, times how many times it can be resolved.
A connection field (one with a ``first`` argument) multiplies everything
below it by ``first`` (clamped to the page-size limit; the default page size
when absent); any other list field multiplies by the default page size, since
nothing bounds it in the document. Introspection's lists multiply by this
schema's real average sizes (``__schema.types`` by the number of types), so
GraphiQL's own introspection query stays affordable while nesting
``fields { type { fields ... } }`` does not.

Fragments are counted once each and memoised: the cost is linear in the
multiplier, so a fragment's cost at multiplier 1 is all that is needed. A
document whose fragments spread one another exponentially costs what it would
cost to execute (its naive size), and is refused in microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_enum_type,
    is_input_object_type,
)

from app import settings as limits


class IntrospectionSizes:
    """Average list sizes of this schema's introspection, for its cost."""

    def __init__(self, schema: GraphQLSchema) -> None:
        types = list(schema.type_map.values())
        with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
        fields = [f for t in with_fields for f in t.fields.values()]

        def mean(values: list[int]) -> int:
            return max(1, math.ceil(sum(values) / len(values))) if values else 1

        self.by_field: dict[str, int] = {
            "types": len(types),
            "directives": max(1, len(schema.directives)),
            "fields": mean([len(t.fields) for t in with_fields]),
            "inputFields": mean([len(t.fields) for t in types if is_input_object_type(t)]),
            "enumValues": mean([len(t.values) for t in types if is_enum_type(t)]),
            "args": mean([len(f.args) for f in fields]),
            "interfaces": mean([len(t.interfaces) for t in with_fields]),
            "possibleTypes": mean([len(t.types) for t in types if isinstance(t, GraphQLUnionType)]),
        }


def _first_argument(node: FieldNode, field: GraphQLField, variables: Mapping[str, Any]) -> int | None:
    """The page size a connection field asks for; None when the field takes no ``first``."""
    if "first" not in field.args:
        return None
    value: Any = None
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = variables.get(argument.value.name.value)
    if not isinstance(value, int) or isinstance(value, bool):
        return limits.DEFAULT_PAGE_SIZE
    # Over the limit is an INVALID_INPUT from the resolver, not a cost matter.
    return min(max(value, 0), limits.MAX_PAGE_SIZE)


def cost_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> frozenset[str]:
    """The variables the operation's cost depends on: those passed to a ``first`` argument."""
    names: set[str] = set()
    seen: set[str] = set()
    stack: list[SelectionSetNode] = [operation.selection_set]
    while stack:
        selection_set = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value == "first" and isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    stack.append(fragments[name].selection_set)
    return frozenset(names)


class CostCounter:
    """Counts one operation's cost; one instance per count (it memoises fragments)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        sizes: IntrospectionSizes,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.sizes = sizes
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[str, int] = {}
        self.active: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self.selection_set(operation.selection_set, root)

    def selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, target or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        # Unknown or cyclic fragments are refused by validation before any count.
        if definition is None or name in self.active:
            return 0
        target = self.schema.get_type(definition.type_condition.name.value)
        if target is None:
            return 0
        self.active.add(name)
        cost = self.selection_set(definition.selection_set, target)
        self.active.discard(name)
        self.memo[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        name = node.name.value
        if name == "__typename":
            return 1
        if name == "__schema":
            field: GraphQLField | None = SchemaMetaFieldDef
        elif name == "__type":
            field = TypeMetaFieldDef
        else:
            fields = getattr(parent, "fields", None)
            field = fields.get(name) if fields is not None else None
        if field is None or node.selection_set is None:
            return 1
        multiplier = 1
        first = _first_argument(node, field, self.variables)
        if first is not None:
            multiplier = first
        elif isinstance(get_nullable_type(field.type), GraphQLList):
            # A connection's edges were counted at the connection field.
            if not getattr(parent, "name", "").endswith("Connection"):
                if parent.name.startswith("__"):
                    multiplier = self.sizes.by_field.get(name, limits.DEFAULT_PAGE_SIZE)
                else:
                    multiplier = limits.DEFAULT_PAGE_SIZE
        return 1 + multiplier * self.selection_set(node.selection_set, get_named_type(field.type))


def fragments_of(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


def operation_cost(
    schema: GraphQLSchema,
    sizes: IntrospectionSizes,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None = None,
) -> int:
    values: dict[str, Any] = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    values.update({k: v for k, v in (variables or {}).items() if v is not None})
    return CostCounter(schema, sizes, fragments, values).operation(operation)
