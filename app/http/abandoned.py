"""Letting a field's resolver finish even when graphql-core abandons the field.

See ``app/unit_of_work.py`` for why: a resolver cancelled in the middle of a
statement leaves its connection broken with the transaction open.

The shield is put on the schema's resolvers once, when the endpoint is built,
rather than as a graphql-core middleware: a middleware is called for every field
of every answer, plain attributes included, and cost about 16 % of a 20-product
page that resolves 200 fields. Only a resolver can hand back an awaitable;
Strawberry marks the fields it reads as plain attributes ``_is_default``, and
those are left alone (were Strawberry to drop the mark, every field would be
wrapped: slower, never unsafe).
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import isawaitable
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

Resolver = Callable[..., Any]


def _finishing(resolve: Resolver) -> Resolver:
    def finish_even_if_abandoned(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        result = resolve(root, info, **args)
        if isawaitable(result):
            return info.context.uow.finish_even_if_abandoned(result)
        return result

    finish_even_if_abandoned.finishes_abandoned = True  # type: ignore[attr-defined]
    return finish_even_if_abandoned


def may_return_awaitable(resolve: Resolver | None) -> bool:
    """False for graphql-core's default resolver and Strawberry's plain attribute fields."""
    return resolve is not None and not getattr(resolve, "_is_default", False)


def finish_abandoned_resolvers(schema: GraphQLSchema) -> None:
    """Wrap every resolver of ``schema`` that may return an awaitable; safe to call again."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            if may_return_awaitable(field.resolve) and not getattr(field.resolve, "finishes_abandoned", False):
                field.resolve = _finishing(field.resolve)
