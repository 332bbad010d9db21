"""The graphql middleware that lets a field's resolver finish even when graphql-core abandons the field.

See ``app/unit_of_work.py`` for why: a resolver cancelled in the middle of a
statement leaves its connection broken with the transaction open.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo, MiddlewareManager


def finish_abandoned_resolvers(next_: Any, root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    result = next_(root, info, **args)
    if isawaitable(result):
        return info.context.uow.finish_even_if_abandoned(result)
    return result


MIDDLEWARE = MiddlewareManager(finish_abandoned_resolvers)
