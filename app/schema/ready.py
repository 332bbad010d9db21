"""Fields whose answer is usually on the object already: answered without Strawberry's resolver machinery.

A product read for a page carries its thumbnail, its category and the prices
of the customers the query names (``app/catalog/product_rows.py``); read some
other way it does not, and its resolvers load them. Strawberry calls a
resolver through its argument conversion, an ``Info`` and its extension
chain: for a 20-product page that is 60 calls that only hand back a value
the product already holds, the largest cost of the page after graphql-core's
own.

A field declared with ``metadata=ready_when(answer)`` is answered by
``answer(source, arguments, context)`` first (``app/http/execution.py``), with
the arguments as GraphQL names them; only when it returns ``NOT_READY`` does
the field go to its resolver. The resolver asks the same function first, so
both roads give one answer, whoever executes the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphql import GraphQLField

NOT_READY: Final[Any] = object()
_METADATA_KEY = "ready_when"
_STRAWBERRY_FIELD = "strawberry-definition"  # where Strawberry keeps a graphql-core field's definition

Answer = Callable[[Any, dict[str, Any], Any], Any]


def ready_when(answer: Answer) -> dict[str, Answer]:
    """``strawberry.field(metadata=...)`` for a field that ``answer`` can often answer at once."""
    return {_METADATA_KEY: answer}


def ready_answer(field: GraphQLField) -> Answer | None:
    """The ``answer`` a field was declared ``ready_when``, if any."""
    definition = field.extensions.get(_STRAWBERRY_FIELD)
    metadata: dict[str, Any] = getattr(definition, "metadata", None) or {}
    return metadata.get(_METADATA_KEY)
