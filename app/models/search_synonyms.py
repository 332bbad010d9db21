"""Search synonyms: groups of terms managed by support staff and ERP keys, applied at query time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Id, Timestamp


class SearchSynonym(Base):
    """A group of 2-20 terms; two_way: each finds what the others find, else the first finds the rest's."""

    __tablename__ = "search_synonyms"

    id: Mapped[Id]
    terms: Mapped[list[Any]] = mapped_column(JSON)  # as entered, in order
    two_way: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class SearchSynonymTerm(Base):
    """Each term of every group, folded: the primary key keeps a term in one group only."""

    __tablename__ = "search_synonym_terms"

    term: Mapped[str] = mapped_column(String(100), primary_key=True)
    synonym_id: Mapped[int] = mapped_column(ForeignKey("search_synonyms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class SearchSynonymState(Base):
    """One row: a fresh random token at every change, so every process knows when to reload its copy."""

    __tablename__ = "search_synonym_state"

    id: Mapped[Id]
    token: Mapped[str] = mapped_column(String(36))
