"""Suggestions as the user types: which products a customer bought match the text, and which categories.

Pure matching plus one query of the customer's own purchases; the products
the whole catalogue offers come from ``app.catalog.search`` (typing mode).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import sales, text
from app.catalog.tree import CategoryNode
from app.models import CustomerPurchase, Product

MIN_LETTERS = 2
DEFAULT_FIRST, MAX_FIRST = 8, 20
MAX_OWN = 2000  # the customer's most ordered products looked at


def letters(prefix: str) -> int:
    return sum(len(word) for word in text.tokens(prefix))


@lru_cache(maxsize=50_000)
def _words(value: str) -> str:
    """The words of a product's or category's name, each after a space: the same names are matched
    at every keystroke (the customer's purchases, the tree), and splitting them cost more than the
    statements. ``" " + word in`` it: a word starts with ``word``; ``stem in`` it: a word holds it."""
    return "".join(" " + word for word in text.tokens(value))


def matches(typed: list[str], value: str) -> bool:
    """Every typed word starts a word of ``value``, or (3+ letters) is inside one: a compound's part."""
    words = _words(value)
    for word in typed:
        if " " + word not in words and not (len(word) >= 3 and text.stem(word) in words):
            return False
    return True


def categories(nodes: Iterable[CategoryNode], prefix: str, first: int) -> list[CategoryNode]:
    """Categories whose name matches, those whose name starts with the text first, then the
    deeper (more specific) ones; the tree's order otherwise (never alphabetical as relevance)."""
    typed = text.tokens(prefix)
    if not typed:
        return []
    found = [node for node in nodes if matches(typed, node.name)]
    starts = text.fold(prefix.strip())
    found.sort(key=lambda node: (not text.fold(node.name).startswith(starts), -node.depth, node.id))
    return found[:first]


async def own_purchases(session: AsyncSession, customer_id: int, since: datetime, prefix: str, first: int) -> list[int]:
    """Active products this customer ordered since ``since``'s month whose name matches, most units
    first; read from this customer's rows of customer_purchases (app.catalog.sales), by its key."""
    typed = text.tokens(prefix)
    units = func.sum(CustomerPurchase.units)
    rows = (
        await session.execute(
            select(Product.id, Product.name)
            .join(CustomerPurchase, CustomerPurchase.product_id == Product.id)
            .where(
                CustomerPurchase.customer_id == customer_id,
                CustomerPurchase.month >= sales.month_key(since),
                Product.active,
            )
            .group_by(Product.id, Product.name)
            .having(units > 0)
            .order_by(units.desc(), func.max(CustomerPurchase.month).desc(), Product.id)
            .limit(MAX_OWN)
        )
    ).all()
    return [row.id for row in rows if matches(typed, row.name)][:first]
