"""Search ("markedets beste søk"): the interface the rest of the catalogue uses.

INTERFACE CONTRACT (being implemented; signatures are fixed):

* ``index_terms(doc: IndexedProduct) -> dict[str, int]``: the search_terms rows
  (term -> weight) for one product. Pure; used by bulk loaders.
* ``word_variants(words: Iterable[str]) -> set[tuple[str, str]]``: the
  search_words rows (variant, word) for typo tolerance. Pure.
* ``async reindex(session, product_ids)``: rebuild the index rows of those
  products (call after any insert/update of their indexed fields; an inactive
  product may keep its rows, search filters on products.active).
* ``async search(session, query: SearchQuery) -> SearchResult``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession


class ProductSort(enum.Enum):
    RELEVANCE = "RELEVANCE"
    NAME = "NAME"
    SKU = "SKU"
    NEWEST = "NEWEST"


@dataclass(frozen=True, slots=True)
class IndexedProduct:
    """What the index reads of a product."""

    id: int
    sku: str
    name: str
    description: str | None
    manufacturer: str | None
    category_names: Sequence[str]  # from the root down


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str | None = None
    # products.category path prefix ("/1/5/"), descendants included; None: all.
    category_path: str | None = None
    in_stock_only: bool = False
    sort: ProductSort | None = None  # None: RELEVANCE with text, NAME without
    offset: int = 0
    limit: int = 20
    with_facets: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    product_ids: list[int]  # this page, in order
    total: int
    # category id -> number of matching products in it (directly, not descendants)
    facets: dict[int, int] = field(default_factory=dict)


def index_terms(doc: IndexedProduct) -> dict[str, int]:
    raise NotImplementedError


def word_variants(words: Iterable[str]) -> set[tuple[str, str]]:
    raise NotImplementedError


async def reindex(session: AsyncSession, product_ids: Sequence[int]) -> None:
    raise NotImplementedError


async def search(session: AsyncSession, query: SearchQuery) -> SearchResult:
    raise NotImplementedError
