"""The search box's suggestions as the user types."""

from __future__ import annotations

import strawberry

from app.context import Info
from app.resolvers import search_suggestions as resolve
from app.schema.catalog import CategoryType, ProductObject


@strawberry.type(description="What the search box suggests for a prefix.")
class SearchSuggestions:
    categories: list[CategoryType] = strawberry.field(
        description="Categories whose name has a word starting with the text (or, 3+ letters, containing it)."
    )
    products: list[ProductObject] = strawberry.field(
        description="The customer's own purchases of the last 12 months that match first, then as search ranks."
    )


@strawberry.type
class SearchSuggestionsQuery:
    @strawberry.field(
        description=(
            "As the user types: for a prefix of 2+ letters, up to `first` (default 8, at most 20, else "
            "INVALID_INPUT) categories and active products whose words start with it (the last word a prefix "
            "from 2 letters; compounds, Nynorsk forms, synonyms and typos as in search). With customerNumber "
            "(an active membership; one out of reach counts as none) or the viewer's only customer number, "
            "that customer's own purchases of the last 12 months first. A prefix under 2 letters: empty lists."
        )
    )
    async def search_suggestions(
        self, info: Info, prefix: str, customer_number: str | None = None, first: int | None = None
    ) -> SearchSuggestions:
        found = await resolve.search_suggestions(info, prefix, customer_number, first)
        return SearchSuggestions(
            categories=[CategoryType.of(node, with_children=False) for node in found.categories],
            products=[ProductObject.of(product, thumbnail=url) for product, url in found.products],
        )
