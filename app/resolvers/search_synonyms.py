"""Resolvers of search synonyms: support staff and API keys with catalog:write; every change audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.catalog import synonyms
from app.context import Info
from app.ids import decode_id
from app.models.search_synonyms import SearchSynonym
from app.pagination import Page, SortKey, paginate
from app.policy import Scope
from app.resolvers.access import require_support_or_scope
from app.viewer import Viewer


def require_synonym_editor(info: Info) -> Viewer:
    """Support staff, or an API key with catalog:write; FORBIDDEN for anyone else signed in."""
    return require_support_or_scope(info, Scope.CATALOG_WRITE, "manage search synonyms")


async def list_synonyms(info: Info, first: int | None, after: str | None) -> Page[SearchSynonym]:
    require_synonym_editor(info)
    return await paginate(
        info.context.uow, select(SearchSynonym), [SortKey(SearchSynonym.id)], first, after, lazy_total=True
    )


async def upsert_synonym(info: Info, synonym_id: str | None, terms: Sequence[str], two_way: bool) -> SearchSynonym:
    viewer = require_synonym_editor(info)
    pk = decode_id("SearchSynonym", synonym_id) if synonym_id is not None else None
    if synonym_id is not None and pk is None:
        pk = -1  # an id of something else: not found
    async with info.context.uow.transaction() as session:
        return await synonyms.upsert(session, viewer, pk, terms, two_way)


async def delete_synonym(info: Info, synonym_id: str) -> None:
    viewer = require_synonym_editor(info)
    async with info.context.uow.transaction() as session:
        await synonyms.remove(session, viewer, decode_id("SearchSynonym", synonym_id))
