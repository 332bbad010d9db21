"""Categories by their path of names from the root: found, or made where missing.

The ERP names a product's category as a list of names ("Forbruksmateriell",
"Hansker"). Each name is unique among its siblings (the database's unique
(parent_id, name)); the materialized ``path`` ("/1/5/9/") and ``depth`` are set
when a category is made, and never change, since categories are not moved.

Slugs are made from the names, parent first ("forbruksmateriell-hansker"),
lower-case ASCII with Norwegian letters transliterated (æ -> ae, ø -> o,
å -> a); a slug already taken gets "-2", "-3", ...

Making a category is race-safe: two batches that make the same category at
once end up with one. The insert runs in a savepoint; when it collides with a
row another transaction committed meanwhile (same parent and name, or the same
slug: two roots of one name share their slug, which is what keeps roots unique,
since NULL parents never collide in a unique constraint), the savepoint is
rolled back and the winner's row is used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category

MAX_NAME = 200
MAX_DEPTH = 10
# The slug column holds 400 characters; room is left for a "-NNN" suffix.
_MAX_BASE_SLUG = 380
_FALLBACK_SLUG = "category"
_CREATE_ATTEMPTS = 5
_QUERY_CHUNK = 500

_TRANSLITERATION = str.maketrans(
    {
        "æ": "ae",
        "ø": "o",
        "å": "a",
        "Æ": "ae",
        "Ø": "o",
        "Å": "a",
        "ß": "ss",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
    }
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

CategoryPath = tuple[str, ...]


def normalize_name(name: str) -> str:
    """A category name as stored and matched: trimmed, inner whitespace collapsed to one space."""
    return " ".join(name.split())


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by "-": "Sårbehandling og bandasjer" -> "sarbehandling-og-bandasjer"."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    # Accents go (é -> e); any other letter or sign outside ASCII separates words ("7½" -> "7-1-2").
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def base_slug(parent: Category | None, name: str) -> str:
    own = slugify(name) or _FALLBACK_SLUG
    slug = f"{parent.slug}-{own}" if parent is not None else own
    return slug[:_MAX_BASE_SLUG].rstrip("-")


def _free_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


async def _find(session: AsyncSession, parent: Category | None, name: str) -> Category | None:
    parent_match = Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id
    return await session.scalar(select(Category).where(parent_match, Category.name == name).order_by(Category.id))


async def create(session: AsyncSession, parent: Category | None, name: str) -> Category:
    """The category ``name`` under ``parent``: made now, or the one a concurrent transaction made."""
    base = base_slug(parent, name)
    for _ in range(_CREATE_ATTEMPTS):
        taken = set(
            (
                await session.scalars(
                    select(Category.slug).where(or_(Category.slug == base, Category.slug.like(f"{base}-%")))
                )
            ).all()
        )
        category = Category(
            parent_id=parent.id if parent is not None else None,
            name=name,
            slug=_free_slug(base, taken),
            path="",
            depth=parent.depth + 1 if parent is not None else 0,
        )
        try:
            async with session.begin_nested():
                session.add(category)
                await session.flush()
                category.path = f"{parent.path if parent is not None else '/'}{category.id}/"
                await session.flush()
        except IntegrityError:
            existing = await _find(session, parent, name)
            if existing is not None:
                return existing  # made by another transaction at this very moment
            continue  # only the slug was taken meanwhile: choose again
        return category
    raise RuntimeError(f"could not make category {name!r}: its slug kept being taken")


async def resolve_paths(session: AsyncSession, paths: Iterable[Sequence[str]]) -> dict[CategoryPath, Category]:
    """The category at the end of each path (names already normalized), making missing ones.

    One query loads every category bearing any of the names; the tree is walked
    in memory, so a batch of products costs one query plus one small insert per
    new category. Paths are handled in sorted order, so concurrent batches make
    shared categories in the same order and never wait on each other in a cycle.
    """
    wanted = sorted({tuple(path) for path in paths})
    if not wanted:
        return {}
    names = sorted({name for path in wanted for name in path})
    known: dict[tuple[int | None, str], Category] = {}
    for start in range(0, len(names), _QUERY_CHUNK):
        chunk = names[start : start + _QUERY_CHUNK]
        for existing in await session.scalars(select(Category).where(Category.name.in_(chunk)).order_by(Category.id)):
            known.setdefault((existing.parent_id, existing.name), existing)

    resolved: dict[CategoryPath, Category] = {}
    for path in wanted:
        parent: Category | None = None
        for depth, name in enumerate(path):
            prefix = path[: depth + 1]
            category = resolved.get(prefix)
            if category is None:
                key = (parent.id if parent is not None else None, name)
                category = known.get(key)
                if category is None:
                    category = await create(session, parent, name)
                    known[key] = category
                resolved[prefix] = category
            parent = category
    return {path: resolved[path] for path in wanted}


async def find_or_create(session: AsyncSession, names: Sequence[str]) -> Category:
    """The category at the end of ``names`` from the root, made where missing."""
    path = tuple(normalize_name(name) for name in names)
    if not path:
        raise ValueError("a category path needs at least one name")
    return (await resolve_paths(session, [path]))[path]
