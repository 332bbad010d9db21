"""Search synonyms in the schema: support staff (GraphiQL) and ERP keys with catalog:write."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.context import Info
from app.models.search_synonyms import SearchSynonym
from app.resolvers import search_synonyms as resolve
from app.schema.errors import UserError
from app.schema.objects import copied, node_id
from app.schema.pagination import Connection, connection
from app.schema.payloads import OkPayload, reports_errors

_RULES = (
    "A group of 2 to 20 terms (a word or a phrase of up to 5 words, at most 100 characters), compared folded "
    "(case and accents as in search). twoWay: every term finds what the others find; otherwise the first term "
    "also finds what the others find, not the reverse. Another term is matched by its last word (a phrase's "
    "head noun). Applied at query time: the next search feels a change, no reindex."
)


@strawberry.type(name="SearchSynonym", description=_RULES)
class SearchSynonymType:
    id: strawberry.ID
    terms: list[str] = strawberry.field(description="As entered, in order (for a one-way group, the finder first).")
    two_way: bool
    updated_at: datetime

    @classmethod
    def from_model(cls, row: SearchSynonym) -> SearchSynonymType:
        return copied(cls, row, id=node_id("SearchSynonym", row.id), terms=list(row.terms))


@strawberry.input(description=_RULES)
class SearchSynonymInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Replace this group; without it, add one.")
    terms: list[str]
    two_way: bool = True


@strawberry.type
class SearchSynonymPayload:
    synonym: SearchSynonymType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SearchSynonymQuery:
    @strawberry.field(description="Support staff or an API key with catalog:write. Oldest first. " + _RULES)
    async def search_synonyms(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SearchSynonymType]:
        return connection(await resolve.list_synonyms(info, first, after), SearchSynonymType.from_model)


@strawberry.type
class SearchSynonymMutation:
    @strawberry.mutation(
        description=(
            "Add a synonym group, or replace the group `input.id`. A term already in another group is "
            "INVALID_INPUT with field input.terms.N; a missing id is NOT_FOUND (input.id). Audited as "
            "search.synonym_changed."
        )
    )
    @reports_errors(SearchSynonymPayload)
    async def upsert_search_synonym(self, info: Info, input: SearchSynonymInput) -> SearchSynonymPayload:
        row = await resolve.upsert_synonym(info, input.id, input.terms, input.two_way)
        return SearchSynonymPayload(synonym=SearchSynonymType.from_model(row))

    @strawberry.mutation(description="Delete a synonym group (NOT_FOUND when missing). Audited.")
    @reports_errors(OkPayload)
    async def delete_search_synonym(self, info: Info, id: strawberry.ID) -> OkPayload:
        await resolve.delete_synonym(info, id)
        return OkPayload.success()
